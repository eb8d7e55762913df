#include "core/xls.h"
#include "core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <freexl.h>
#include <iconv.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* Under a sanitizer (the ASan build, the fuzz target): its hook for a fatal report. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* BIFF8's own limits: 65,536 rows and 256 columns. */
#define XLS_MAX_COLS 256u

static const char *const xls_over_memory =
    "XLS 文件解析所需内存超过上限，请在 Excel 中另存为 XLSX 或 CSV 后导入，或拆分文件";

static void
write_cell(FILE *out, const FreeXL_CellValue *v)
{
    char num[40];
    switch (v->type) {
    case FREEXL_CELL_INT:
        snprintf(num, sizeof(num), "%d", v->value.int_value);
        fputs(num, out);
        break;
    case FREEXL_CELL_DOUBLE: /* RULE-IMPORT-020 */
        al_sheet_number(v->value.double_value, num);
        fputs(num, out);
        break;
    case FREEXL_CELL_TEXT:
    case FREEXL_CELL_SST_TEXT:
    case FREEXL_CELL_TIME:
        if (v->value.text_value)
            al_sheet_csv_field(out, v->value.text_value, strlen(v->value.text_value));
        break;
    case FREEXL_CELL_DATE:
    case FREEXL_CELL_DATETIME: /* "YYYY-MM-DD[ hh:mm:ss]": the date is what imports use */
        if (v->value.text_value)
            al_sheet_csv_field(out, v->value.text_value, strnlen(v->value.text_value, 10));
        break;
    default:
        break;
    }
}

/* Rows [0, max_rows) of the active sheet (every row when max_rows is 0). */
static int
write_sheet(const void *h, FILE *out, unsigned max_rows)
{
    unsigned rows = 0;
    unsigned short cols = 0;
    if (freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK)
        return -1;
    if (max_rows && rows > max_rows)
        rows = max_rows;
    unsigned ncols = cols > XLS_MAX_COLS ? XLS_MAX_COLS : cols;
    for (unsigned r = 0; r < rows; r++) {
        FreeXL_CellValue v;
        int last = -1;
        for (unsigned c = 0; c < ncols; c++)
            if (freexl_get_cell_value(h, r, (unsigned short)c, &v) == FREEXL_OK &&
                v.type != FREEXL_CELL_NULL)
                last = (int)c;
        for (int c = 0; c <= last; c++) {
            if (c)
                fputc(',', out);
            if (freexl_get_cell_value(h, r, (unsigned short)c, &v) == FREEXL_OK)
                write_cell(out, &v);
        }
        fputs("\r\n", out); /* a row of empty cells is an empty line (RULE-IMPORT-021) */
    }
    return ferror(out) ? -1 : 0;
}

static int
sheet_name(const void *h, unsigned short i, char out[AL_SHEET_NAME_MAX])
{
    const char *n = NULL;
    if (freexl_get_worksheet_name(h, i, &n) != FREEXL_OK || !n)
        n = "";
    snprintf(out, AL_SHEET_NAME_MAX, "%s", n);
    return 0;
}

/* RULE-IMPORT-019: the preview of sheet i scored. */
static int
score_sheet(const void *h, unsigned short i, struct al_sheet_choice *ch)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return -1;
    int rc = freexl_select_active_worksheet(h, i) == FREEXL_OK
                 ? write_sheet(h, m, AL_SHEET_PREVIEW_ROWS)
                 : -1;
    fclose(m);
    int score = rc == 0 ? ch->score(ch->ctx, buf, len) : -1;
    free(buf);
    return score < 0 ? 0 : score;
}

int
al_xls_to_csv_inproc(const char *path, FILE *out, struct al_sheet_choice *ch,
    struct al_errinfo *e)
{
    const void *h = NULL;
    int rc;
    int fx = freexl_open(path, &h);
    if (fx == FREEXL_OK && !h) /* what FreeXL 1.0.6 answers when an allocation failed */
        fx = FREEXL_INSUFFICIENT_MEMORY;
    if (fx != FREEXL_OK) {
        h = NULL; /* FreeXL released what it had */
        if (fx == FREEXL_INSUFFICIENT_MEMORY) {
            rc = al_fail(e, AL_ETOOBIG, NULL, "%s", xls_over_memory);
        } else if (fx == FREEXL_BIFF_WORKBOOK_NOT_FOUND || fx == FREEXL_INVALID_CFBF_HEADER ||
                   fx == FREEXL_CFBF_INVALID_SIGNATURE) {
            rc = al_fail(e, AL_EUNPROC, NULL, "不是 XLS 工作簿");
        } else {
            rc = al_fail(e, AL_EINVAL, NULL, "XLS 文件已损坏，无法读取（FreeXL 错误 %d）；"
                                             "请在 Excel/WPS 中打开后另存为 XLSX 再导入", fx);
        }
        goto out;
    }
    unsigned pw = 0, count = 0;
    if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &pw) == FREEXL_OK &&
        pw == FREEXL_BIFF_OBFUSCATED) {
        rc = al_fail(e, AL_EINVAL, NULL, "XLS 文件设有密码，请在 Excel/WPS 中取消密码后另存再导入");
        goto out;
    }
    if (freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &count) != FREEXL_OK || count == 0) {
        rc = al_fail(e, AL_EINVAL, NULL, "XLS 文件中没有工作表");
        goto out;
    }
    if (count > AL_SHEETS_MAX)
        count = AL_SHEETS_MAX;
    unsigned pick = 0;
    if (ch) {
        ch->count = (int)count;
        ch->n_candidates = 0;
        char name[AL_SHEET_NAME_MAX];
        int best = 0;
        bool found = false;
        for (unsigned i = 0; i < count; i++) {
            sheet_name(h, (unsigned short)i, name);
            if (ch->want && !found && !strcmp(name, ch->want)) {
                pick = i;
                found = true;
            }
            if (!ch->score)
                continue;
            int sc = score_sheet(h, (unsigned short)i, ch);
            if (sc > 0 && ch->n_candidates < AL_SHEET_CANDIDATES_MAX)
                snprintf(ch->candidates[ch->n_candidates++], AL_SHEET_NAME_MAX, "%s", name);
            if (sc > best && !ch->want) {
                best = sc;
                pick = i;
            }
        }
        if (ch->want && !found) {
            rc = al_fail(e, AL_EINVAL, NULL, "工作簿中没有名为“%.60s”的工作表", ch->want);
            goto out;
        }
        ch->index = (int)pick;
        sheet_name(h, (unsigned short)pick, ch->name);
    }
    if (freexl_select_active_worksheet(h, (unsigned short)pick) != FREEXL_OK ||
        write_sheet(h, out, 0) != 0 || fflush(out) != 0) {
        rc = al_fail(e, AL_EINTERNAL, NULL, "XLS 转换时写入失败");
        goto out;
    }
    rc = AL_OK;
out:
    if (h)
        freexl_close(h);
    return rc;
}

/* What the child sends back. */
struct result {
    int rc;
    struct al_errinfo e; /* only the message crosses */
    char name[AL_SHEET_NAME_MAX];
    int index, count, n_candidates;
    char candidates[AL_SHEET_CANDIDATES_MAX][AL_SHEET_NAME_MAX];
};

/* Converters FreeXL opens, loaded once here so that the child never loads a module. */
static iconv_t warm[3]; /* open for the life of the process */

static void
warm_iconv(void)
{
    static const char *const from[] = {"UTF-16LE", "CP1252", "CP936"};
    for (size_t i = 0; i < sizeof(from) / sizeof(from[0]) && i < sizeof(warm) / sizeof(warm[0]); i++)
        warm[i] = iconv_open("UTF-8", from[i]);
}

/* The address space in use now (bytes), from /proc/self/statm. */
static size_t
vm_size(void)
{
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

int
al_xls_to_csv(const char *path, FILE *out, size_t max_memory, long max_seconds,
    struct al_sheet_choice *ch, struct al_errinfo *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, warm_iconv);
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0)
        return al_fail(e, AL_EINTERNAL, NULL, "无法读取 XLS 文件：%s", strerror(errno));
    fflush(out);
    size_t base = vm_size();
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return al_fail(e, AL_EINTERNAL, NULL, "无法读取 XLS 文件：%s", strerror(errno));
    }
    if (pid == 0) { /* the child: limits, the conversion, the result down the pipe */
        close(pfd[0]);
        /* A crash inside the library ends the child by its signal, with no handler of the
           parent's (a fuzzer's, a sanitizer's) running in the child's copy. */
        static const int deadly[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
        for (size_t i = 0; i < sizeof(deadly) / sizeof(deadly[0]); i++)
            signal(deadly[i], SIG_DFL);
        if (__sanitizer_set_death_callback)
            __sanitizer_set_death_callback(NULL);
#ifndef UNDER_ASAN /* ASan reserves terabytes of shadow address space */
        struct rlimit as = {base + max_memory, base + max_memory};
        setrlimit(RLIMIT_AS, &as);
#else
        (void)base;
        (void)max_memory;
#endif
        if (max_seconds > 0) {
            struct rlimit cpu = {(rlim_t)max_seconds, (rlim_t)max_seconds + 1};
            setrlimit(RLIMIT_CPU, &cpu);
        }
        struct result *res = calloc(1, sizeof(*res));
        if (!res)
            _exit(3);
        res->rc = al_xls_to_csv_inproc(path, out, ch, &res->e);
        if (ch) {
            snprintf(res->name, sizeof(res->name), "%s", ch->name);
            res->index = ch->index;
            res->count = ch->count;
            res->n_candidates = ch->n_candidates;
            memcpy(res->candidates, ch->candidates, sizeof(res->candidates));
        }
        fflush(out);
        const char *p = (const char *)res;
        size_t left = sizeof(*res);
        while (left) {
            ssize_t n = write(pfd[1], p, left);
            if (n <= 0)
                _exit(4);
            p += n;
            left -= (size_t)n;
        }
        _exit(0);
    }
    close(pfd[1]);
    struct result res;
    size_t got = 0;
    while (got < sizeof(res)) {
        ssize_t n = read(pfd[0], (char *)&res + got, sizeof(res) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(pfd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got == sizeof(res) && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (ch) {
            snprintf(ch->name, sizeof(ch->name), "%s", res.name);
            ch->index = res.index;
            ch->count = res.count;
            ch->n_candidates = res.n_candidates;
            memcpy(ch->candidates, res.candidates, sizeof(ch->candidates));
        }
        if (res.rc != AL_OK)
            return al_fail(e, res.rc, NULL, "%s", res.e.message);
        return AL_OK;
    }
    /* RULE-UPLOAD-003: out of CPU time; anything else ended the child without a result (the
       library crashed on a damaged or crafted file). */
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
        return al_fail(e, AL_ETOOBIG, NULL,
            "XLS 文件读取用时超过 %ld 秒的上限，请另存为 XLSX 或 CSV 后导入", max_seconds);
    return al_fail(e, AL_EINVAL, NULL,
        "XLS 文件已损坏或含有无法解析的内容；请在 Excel/WPS 中打开后另存为 XLSX 再导入");
}
