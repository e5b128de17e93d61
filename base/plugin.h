/* plugin.h — optional code in shared objects beside the binary, loaded at
 * its first use, so that libraries only rare operations need (xmlsec1 and
 * libxml2 for SAML, libqrencode and libpng for MFA QR codes) are not mapped
 * while the server idles. */
#ifndef AWSEMU_PLUGIN_H
#define AWSEMU_PLUGIN_H

#include <stddef.h>

/* The address of the symbol sym in the plugin called name, loaded (once;
 * it stays for the process's life) from the first of:
 *   <exe>-<name>.so                          beside the running binary:
 *                                            bin/awsemu -> bin/awsemu-saml.so,
 *                                            bin/awsemu-asan -> bin/awsemu-asan-saml.so
 *   <exe dir>/../lib/awsemu/<exe name>-<name>.so   an install:
 *                                            /usr/local/bin/awsemu ->
 *                                            /usr/local/lib/awsemu/awsemu-saml.so
 * where <exe> is /proc/self/exe (else AT_EXECFN). NULL when no plugin
 * file exists, it does not load (a missing library, an undefined symbol)
 * or lacks sym, with the reason (paths tried, dlerror()) in why. A
 * failure is not remembered: a plugin installed later is found by the
 * next call. */
void *plugin_sym(const char *name, const char *sym, char *why /* OUT */, size_t whylen);

/* The table sym that plugin name exports, whose first member is its
 * int ABI number, kept in *cache once found: plugin_sym, then the ABI
 * checked against abi. NULL when either fails, logged as "<what>
 * unavailable: <why>" (and tried again at the next call). */
const void *plugin_table(const void **cache, const char *name, const char *sym, int abi,
                         const char *what);

#endif
