/*
 * Logging as JSON lines on stderr.  Never pass personal data or secrets.
 */
#ifndef AL_LOG_H
#define AL_LOG_H

enum al_log_level { AL_LOG_DEBUG, AL_LOG_INFO, AL_LOG_WARN, AL_LOG_ERROR };

void al_log_set_level(enum al_log_level level);

/* One line {"ts":...,"level":...,"msg":...}; `msg` is printf-formatted. */
void al_log(enum al_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write an already-serialised JSON object as one line, at once. */
void al_log_json_line(const char *json, int len);

/*
 * Append one access-log line to this thread's buffer; it reaches stderr when
 * the buffer fills or al_log_flush() runs (the HTTP workers call it on a timer
 * and when they stop), so a request costs no system call for its log line.
 */
void al_log_access(const char *json, int len);
void al_log_flush(void);

/* Milliseconds on the monotonic clock: for durations (a run, a request), never a date. */
double al_mono_ms(void);

#define al_info(...) al_log(AL_LOG_INFO, __VA_ARGS__)
#define al_warn(...) al_log(AL_LOG_WARN, __VA_ARGS__)
#define al_error(...) al_log(AL_LOG_ERROR, __VA_ARGS__)

#endif
