/* The home page's figures: real counts within the caller's region. */
#ifndef DASHBOARD_H
#define DASHBOARD_H

#include "core/router.h"

extern const struct al_module dashboard_module;

#endif
