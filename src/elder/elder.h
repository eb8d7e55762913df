/*
 * The elder registry (一人一档): every older resident of the region, their
 * contacts, family consents, derived categories with evidence, and history.
 */
#ifndef ELDER_H
#define ELDER_H

#include "core/router.h"

extern const struct al_module elder_module;

#endif
