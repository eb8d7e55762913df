#include <math.h>

#include "core/geo.h"

#define EARTH_M 6371008.8
#define RAD (3.14159265358979323846 / 180.0)

double
al_geo_distance_m(double lat1, double lng1, double lat2, double lng2)
{
    double dlat = (lat2 - lat1) * RAD, dlng = (lng2 - lng1) * RAD;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * RAD) * cos(lat2 * RAD) * sin(dlng / 2) * sin(dlng / 2);
    if (h > 1)
        h = 1;
    return 2 * EARTH_M * asin(sqrt(h));
}

void
al_geo_box(double lat, double radius_m, double *dlat, double *dlng)
{
    *dlat = radius_m / EARTH_M / RAD;
    double c = cos(lat * RAD);
    *dlng = c > 0.01 ? *dlat / c : 180.0;
}
