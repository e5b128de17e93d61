/* qr_png.c — the QR plugin (<exe>-qr.so): a virtual MFA device's QR code
 * as a PNG, in memory, with libqrencode and libpng (iam_qr_plugin.h). Built
 * apart from libawsemu.a so that neither library is mapped until the first
 * CreateVirtualMFADevice; it includes nothing of awsemu but its contract. */
#include "services/iam/iam_qr_plugin.h"

#include <openssl/crypto.h>
#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#define SCALE 4 /* pixels a module: what authenticator apps scan well */
#define QUIET 4 /* modules of white border, as ISO/IEC 18004 asks */

/* The PNG as libpng writes it; grown by copying so that no unwiped copy
 * of it is left in freed memory. */
typedef struct {
    unsigned char *data;
    size_t len, alloc;
} out_t;

static void wipe_free(unsigned char *p, size_t n)
{
    if (p)
        OPENSSL_cleanse(p, n);
    free(p);
}

static void png_to_out(png_structp p, png_bytep data, size_t n)
{
    out_t *o = png_get_io_ptr(p);
    unsigned char *d;
    size_t alloc;

    if (n > o->alloc - o->len) {
        alloc = o->alloc ? o->alloc : 1024;
        while (alloc - o->len < n)
            if ((alloc *= 2) > ((size_t)1 << 30))
                png_error(p, "too big");
        if ((d = malloc(alloc)) == NULL)
            png_error(p, "out of memory");
        if (o->len)
            memcpy(d, o->data, o->len);
        wipe_free(o->data, o->alloc);
        o->data = d;
        o->alloc = alloc;
    }
    memcpy(o->data + o->len, data, n);
    o->len += n;
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

static int write_png(const QRcode *qr, out_t *o)
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
    png_set_write_fn(p, o, png_to_out, png_flush_none);
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
    wipe_free(row, (size_t)side * SCALE);
    return rc;
}

static int qr_png(const char *text, unsigned char **png, size_t *len)
{
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    out_t o = {NULL, 0, 0};
    int rc;

    *png = NULL;
    *len = 0;
    if (qr == NULL)
        return -1;
    rc = write_png(qr, &o);
    OPENSSL_cleanse(qr->data, (size_t)qr->width * (size_t)qr->width); /* the seed, as modules */
    QRcode_free(qr);
    if (rc != 0) {
        wipe_free(o.data, o.alloc);
        return -1;
    }
    *png = o.data;
    *len = o.len;
    return 0;
}

static void qr_png_free(unsigned char *png, size_t len)
{
    wipe_free(png, len);
}

__attribute__((visibility("default"))) const qr_plugin_t awsemu_qr_plugin = {
    .abi = QR_PLUGIN_ABI,
    .png = qr_png,
    .png_free = qr_png_free,
};
