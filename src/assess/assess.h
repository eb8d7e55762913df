/*
 * Capability assessment (老年人能力评估, GB/T 42195-2022): scoring, levels,
 * adjustment rules (docs/rules.md RULE-ASSESS-*), and the assessment record.
 */
#ifndef ASSESS_H
#define ASSESS_H

#include "core/router.h"

extern const struct al_module assess_module;

#endif
