/*
 * Great-circle distance for "how far" questions between two points of latitude and longitude
 * (degrees, WGS-84 as devices and maps give them).  No domain knowledge.
 * The one copy: every caller uses it.
 */
#ifndef AL_GEO_H
#define AL_GEO_H

/* Distance in metres (haversine on the mean Earth radius, 6,371,008.8 m). */
double al_geo_distance_m(double lat1, double lng1, double lat2, double lng2);

/*
 * Half-sizes in degrees of a box around latitude `lat` that holds every point within
 * `radius_m` (for a coarse WHERE before the exact distance).
 */
void al_geo_box(double lat, double radius_m, double *dlat, double *dlng);

#endif
