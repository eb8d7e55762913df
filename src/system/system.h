/* Health and readiness checks. */
#ifndef SYSTEM_H
#define SYSTEM_H

#include "core/router.h"

extern const struct al_module system_module;

#endif
