/* iam_qr_plugin.h — the contract between iam_qr.c and the QR plugin
 * (services/iam/plugin/qr_png.c, built as <exe>-qr.so): a QR code as a PNG
 * with libqrencode and libpng, which are loaded (base/plugin.h) at the
 * first CreateVirtualMFADevice rather than at start. */
#ifndef AWSEMU_IAM_QR_PLUGIN_H
#define AWSEMU_IAM_QR_PLUGIN_H

#include <stddef.h>

/* Raised whenever a type or function below changes (a stale plugin is
 * refused). */
#define QR_PLUGIN_ABI 1
/* The one symbol the plugin exports: a const qr_plugin_t. */
#define QR_PLUGIN_SYMBOL "awsemu_qr_plugin"

typedef struct {
    int abi; /* QR_PLUGIN_ABI */
    /* A PNG image (8-bit grey, 4 pixels a module, a 4-module quiet zone) of
     * the QR code (error correction M, 8-bit mode) of text into *png
     * (*len bytes; caller frees with png_free). Every intermediate copy is
     * wiped (text holds an MFA seed). 0, or -1 (text too long for a QR
     * code, out of memory). */
    int (*png)(const char *text, unsigned char **png /* OUT */, size_t *len /* OUT */);
    /* Wipes and frees a png of png(). */
    void (*png_free)(unsigned char *png, size_t len);
} qr_plugin_t;

#endif
