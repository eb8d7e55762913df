/* Demo data of the meal module: TODO */
#include "meal/meal.h"

int
meal_seed_demo(struct al_db *db, struct al_arena *a, struct al_errinfo *e)
{
    (void)db; (void)a; (void)e;
    return AL_OK;
}
