/* test_s3_errors.c — never an empty <Message>: walks every error code the
 * S3 sources can answer (each string literal that follows an HTTP status,
 * as s3_error, s3_error_arg, the upload sink and the error tables write
 * them) and checks that AWS's message for it is known, so s3_error's
 * fallback fills any message that comes out empty; and that every row of
 * the shared error table has its message. Runs from the repository root. */
#include "services/s3/s3_int.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>

#include "unit.h"

static int codes_seen;

/* Every "Code" literal after a 4xx/5xx status in text. */
static void scan(const char *file, const char *text)
{
    const char *p = text;

    while ((p = strchr(p, '"')) != NULL) {
        const char *q = p - 1, *end;
        char code[96];
        /* back over ", " and a three-digit status */
        while (q > text && (*q == ' ' || *q == '\n'))
            q--;
        if (q - 3 >= text && *q == ',' && isdigit((unsigned char)q[-1]) &&
            isdigit((unsigned char)q[-2]) && (q[-3] == '4' || q[-3] == '5') &&
            (q - 4 < text || !isalnum((unsigned char)q[-4]))) {
            end = strchr(p + 1, '"');
            if (end && end - p - 1 > 0 && (size_t)(end - p - 1) < sizeof code &&
                isupper((unsigned char)p[1])) {
                memcpy(code, p + 1, (size_t)(end - p - 1));
                code[end - p - 1] = '\0';
                codes_seen++;
                if (s3_code_message(code) == NULL || s3_code_message(code)[0] == '\0') {
                    unit_failed++;
                    fprintf(stderr, "%s: code %s has no message in s3_errmsg.c\n", file, code);
                } else {
                    unit_passed++;
                }
            }
        }
        end = strchr(p + 1, '"');
        if (end == NULL)
            break;
        p = end + 1;
    }
    /* a literal empty message */
    CHECK(strstr(text, "\"%s\", \"\")") == NULL);
}

static void test_sources(void)
{
    DIR *d = opendir("services/s3");
    struct dirent *e;

    CHECK(d != NULL);
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[512];
        FILE *f;
        char *text;
        long n;
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".c") != 0 || !strcmp(e->d_name, "s3_errmsg.c"))
            continue;
        snprintf(path, sizeof path, "services/s3/%s", e->d_name);
        if ((f = fopen(path, "rb")) == NULL)
            continue;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        text = malloc((size_t)n + 1);
        if (text && fread(text, 1, (size_t)n, f) == (size_t)n) {
            text[n] = '\0';
            scan(path, text);
        }
        free(text);
        fclose(f);
    }
    closedir(d);
    CHECK(codes_seen > 60); /* the scan found the call sites */
}

static void test_table(void)
{
    int e;

    for (e = S3_E_INTERNAL; e <= S3_E_TAG_VALUE; e++) {
        CHECK(s3_err_msg(e) != NULL && s3_err_msg(e)[0] != '\0');
        CHECK(s3_code_message(s3_err_code(e)) != NULL);
    }
    CHECK(s3_code_message("NoSuchThing") == NULL);
}

int main(void)
{
    test_sources();
    test_table();
    return unit_report("s3_errors");
}
