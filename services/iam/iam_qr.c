/* iam_qr.c — a virtual MFA device's QR code as a PNG, in memory. */
#include "services/iam/iam_qr.h"

#include <openssl/crypto.h>
#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#define SCALE 4 /* pixels a module: what authenticator apps scan well */
#define QUIET 4 /* modules of white border, as ISO/IEC 18004 asks */

static void png_to_buf(png_structp p, png_bytep data, size_t n)
{
    if (buf_add(png_get_io_ptr(p), data, n) != 0)
        png_error(p, "out of memory");
}

static void png_flush_none(png_structp p)
{
    (void)p;
}

/* One row of pixels for module row y (-QUIET.. width+QUIET-1). */
static void fill_row(const QRcode *qr, int y, unsigned char *row)
{
    int side = qr->width + 2 * QUIET, x;

    for (x = 0; x < side; x++) {
        int mx = x - QUIET, dark = 0;
        if (y >= 0 && y < qr->width && mx >= 0 && mx < qr->width)
            dark = qr->data[y * qr->width + mx] & 1;
        memset(row + (size_t)x * SCALE, dark ? 0 : 255, SCALE);
    }
}

static int write_png(const QRcode *qr, buf_t *png)
{
    png_structp p = NULL;
    png_infop info = NULL;
    int side = qr->width + 2 * QUIET, y, k;
    unsigned char *volatile row = NULL;
    int volatile rc = -1;

    p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (p == NULL || (info = png_create_info_struct(p)) == NULL)
        goto out;
    row = malloc((size_t)side * SCALE);
    if (row == NULL || setjmp(png_jmpbuf(p)))
        goto out;
    png_set_write_fn(p, png, png_to_buf, png_flush_none);
    png_set_IHDR(p, info, (png_uint_32)(side * SCALE), (png_uint_32)(side * SCALE), 8,
                 PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    for (y = -QUIET; y < qr->width + QUIET; y++) {
        fill_row(qr, y, row);
        for (k = 0; k < SCALE; k++)
            png_write_row(p, row);
    }
    png_write_end(p, NULL);
    rc = 0;
out:
    png_destroy_write_struct(p ? &p : NULL, info ? &info : NULL);
    free(row);
    return rc;
}

int iam_qr_png(const char *text, buf_t *png)
{
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    int rc;

    if (qr == NULL)
        return -1;
    rc = write_png(qr, png);
    OPENSSL_cleanse(qr->data, (size_t)qr->width * (size_t)qr->width); /* the seed, as modules */
    QRcode_free(qr);
    return rc;
}
