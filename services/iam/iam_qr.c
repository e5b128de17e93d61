/* iam_qr.c — a virtual MFA device's QR code as a PNG, in memory, by the QR
 * plugin (iam_qr_plugin.h), loaded at the first call. */
#include "services/iam/iam_qr.h"

#include <openssl/crypto.h>

#include "base/log.h"
#include "base/plugin.h"
#include "services/iam/iam_qr_plugin.h"

static const void *qr;

/* The QR plugin, loaded at the first call (and again after a failure).
 * NULL when it cannot be, logged. */
static const qr_plugin_t *qr_plugin(void)
{
    return plugin_table(&qr, "qr", QR_PLUGIN_SYMBOL, QR_PLUGIN_ABI, "virtual MFA QR codes");
}

int iam_qr_ready(void)
{
    return qr_plugin() ? 0 : -1;
}

int iam_qr_png(const char *text, buf_t *png)
{
    const qr_plugin_t *p = qr_plugin();
    unsigned char *img = NULL;
    size_t len = 0;
    int rc;

    if (p == NULL || p->png(text, &img, &len) != 0)
        return -1;
    rc = buf_add(png, img, len) == 0 ? 0 : -1;
    p->png_free(img, len);
    return rc;
}
