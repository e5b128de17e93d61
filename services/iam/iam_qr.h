/* iam_qr.h — the QR code PNG of a virtual MFA device (libqrencode +
 * libpng, in the QR plugin loaded at first use: iam_qr_plugin.h), as
 * CreateVirtualMFADevice returns it in QRCodePNG. */
#ifndef AWSEMU_IAM_QR_H
#define AWSEMU_IAM_QR_H

#include "base/buf.h"

/* Appends to png a PNG image (8-bit grey, 4 pixels a module, a 4-module quiet
 * zone) of the QR code (error correction M, 8-bit mode) that encodes text.
 * Returns 0 or -1 (text too long for a QR code, out of memory). The text
 * holds the device's seed: callers wipe png and text after use. */
int iam_qr_png(const char *text, buf_t *png /* OUT */);
/* Loads the QR plugin if it is not yet: 0, or -1 when it cannot be (the
 * reason logged), so a caller can refuse before it writes anything. */
int iam_qr_ready(void);

#endif
