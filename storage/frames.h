/* frames.h — framed AES-256-GCM for object bodies: a body is sealed as a
 * stream of fixed-size frames under a 32-byte data key, and any byte range
 * is opened by reading and authenticating only the frames it touches. */
#ifndef AWSEMU_FRAMES_H
#define AWSEMU_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* Sealed layout (all integers big-endian):
 *
 *   header  "AWSF" | version (1 byte, 1) | 3 zero bytes | frame size F (u32)
 *           | base IV (12 bytes)                                 = 24 bytes
 *   frame i ciphertext of plaintext bytes [i*F, i*F + n_i) | tag (16 bytes)
 *
 * Every frame holds exactly F plaintext bytes except the last, which holds
 * len mod F bytes (0..F-1: a body whose length is a multiple of F, the empty
 * body included, ends with an empty frame) and is the only one flagged final.
 * So a body of len bytes has len / F + 1 frames, and the plaintext length
 * follows from the sealed length (frames_plain_size).
 *
 *   nonce(i) = base IV with its last 8 bytes XORed with i (u64)
 *   AAD(i)   = header (24) | i (u64) | final (1 byte, 0 or 1) | caller aad
 *
 * The header is in every frame's AAD, so a changed header, key or caller aad,
 * a flipped bit, frames reordered, swapped in from another body, dropped
 * (truncation at a frame boundary drops the final flag) or appended all fail
 * to open. The base IV is random per body (12 CSPRNG bytes). */

#define FRAMES_KEY_LEN 32
#define FRAMES_TAG_LEN 16
#define FRAMES_HEADER_LEN 24
#define FRAMES_DEFAULT_FRAME 65536u  /* plaintext bytes per frame */
#define FRAMES_MAX_FRAME (16u << 20) /* bounds the memory a header can ask for */
#define FRAMES_MAX_AAD 65536u
#define FRAMES_TO_END UINT64_MAX /* as `last`: up to the end of the body */

/* Error codes (all negative). FRAMES_ECORRUPT: not authentic (tag mismatch,
 * wrong key or aad, bad header, an impossible or truncated length). */
#define FRAMES_EINVAL (-1)   /* bad argument: frame size, aad length */
#define FRAMES_ERANGE (-2)   /* the range is not inside the body (HTTP 416) */
#define FRAMES_ECORRUPT (-3) /* not authentic */
#define FRAMES_EIO (-4)      /* pread failed (errno is kept) */
#define FRAMES_ENOMEM (-5)
#define FRAMES_EEMIT (-6)   /* the emit callback returned non-zero */
#define FRAMES_ECRYPTO (-7) /* OpenSSL failed for another reason */

/* Receives sealed or opened bytes; returns 0, or non-zero to stop (the
 * caller then gets FRAMES_EEMIT). p is only valid during the call. */
typedef int (*frames_emit_fn)(void *arg, const uint8_t *p, size_t n);

size_t frames_header_len(void);
/* Sealed size of a plaintext_len-byte body; 0 when frame_size is out of
 * [1, FRAMES_MAX_FRAME] or the size does not fit in 64 bits. */
uint64_t frames_sealed_size(uint64_t plaintext_len, uint32_t frame_size);
/* The plaintext length of a sealed_len-byte body with frames of frame_size.
 * Returns 0, FRAMES_EINVAL (frame size) or FRAMES_ECORRUPT (no body seals to
 * that length). */
int frames_plain_size(uint64_t sealed_len, uint32_t frame_size, uint64_t *plaintext_len /* OUT */);

/* ---- sealing ------------------------------------------------------------ */

typedef struct frames_sealer frames_sealer_t;

/* Starts sealing a body under key (copied into the cipher context; the
 * caller wipes its own copy) with aad (aadlen <= FRAMES_MAX_AAD, copied; may
 * be NULL when 0). frame_size 0 selects FRAMES_DEFAULT_FRAME; otherwise it
 * must be in [1, FRAMES_MAX_FRAME]. Returns NULL on a bad argument or when
 * out of memory. Finish with frames_seal_final or frames_seal_abort. */
frames_sealer_t *frames_seal_begin(const uint8_t key[FRAMES_KEY_LEN], const uint8_t *aad,
                                   size_t aadlen, uint32_t frame_size);
/* Feeds n plaintext bytes. Emits the header on the first call, then each
 * frame as soon as it is full, so the sealer holds fewer than frame_size
 * plaintext bytes between calls (its memory is one frame whatever the body
 * size). Returns 0 or negative; after a failure every later update fails too
 * and only abort or final (which then just frees) remain. */
int frames_seal_update(frames_sealer_t *s, const uint8_t *in, size_t n, frames_emit_fn emit,
                       void *arg);
/* Emits the header if not yet sent and the final frame (possibly empty),
 * then frees s whatever the outcome. Returns 0 or negative. */
int frames_seal_final(frames_sealer_t *s, frames_emit_fn emit, void *arg);
/* Frees s, wiping the plaintext it holds. NULL is fine. */
void frames_seal_abort(frames_sealer_t *s);
/* Plaintext bytes s holds, not yet emitted: always < its frame size. */
size_t frames_seal_buffered(const frames_sealer_t *s);

/* ---- opening ------------------------------------------------------------ */

/* Ranges are inclusive plaintext offsets [first, last] with
 * first <= last < plaintext length, or last = FRAMES_TO_END with
 * first <= plaintext length (the rest of the body; empty when first equals
 * the length). Anything else is FRAMES_ERANGE. A range that reaches the end
 * of the body also opens the final frame when that frame is empty, so
 * (0, FRAMES_TO_END) authenticates a whole body, the empty one included,
 * and a dropped final frame never goes unnoticed.
 *
 * sealed_len is the length of the sealed body at offset 0 of fd. Callers
 * take it from their own record (frames_sealed_size of the stored plaintext
 * length) and check it against fstat, so a truncated or extended file is
 * noticed before any byte is sent; the frames at the end fail to open anyway.
 * Only the header and the frames covering the range are read (pread, the fd
 * offset is untouched). */

/* Opens [first, last] and emits exactly those plaintext bytes, a frame at a
 * time; each frame's plaintext is wiped after its emit. Returns 0 or
 * negative (bytes emitted before a failure are authentic, but the caller
 * must treat the whole read as failed). */
int frames_open_range(const uint8_t key[FRAMES_KEY_LEN], const uint8_t *aad, size_t aadlen, int fd,
                      uint64_t sealed_len, uint64_t first, uint64_t last, frames_emit_fn emit,
                      void *arg);

/* The same, pulled a piece at a time (for a response written as its socket
 * drains). Holds one frame of memory. */
typedef struct frames_reader frames_reader_t;

/* Reads and checks the header and the range; opens no frame yet, except for
 * an empty range, whose final frame is checked here. key and aad are copied.
 * Returns 0 with *r set (caller ends it with frames_read_end), or negative
 * with *r NULL. Once frames_read_remaining is 0, every frame the range covers
 * has been authenticated (a trailing empty final frame is opened with the
 * frame before it), so a caller may stop pulling there. */
int frames_read_begin(const uint8_t key[FRAMES_KEY_LEN], const uint8_t *aad, size_t aadlen, int fd,
                      uint64_t sealed_len, uint64_t first, uint64_t last,
                      frames_reader_t **r /* OUT */);
/* The same over a sealed body held in memory (sealed_len bytes at sealed,
 * borrowed: it must outlive r). Returns as frames_read_begin; a body shorter
 * than its own frames claim is FRAMES_ECORRUPT, never a read past it. */
int frames_read_begin_mem(const uint8_t key[FRAMES_KEY_LEN], const uint8_t *aad, size_t aadlen,
                          const uint8_t *sealed, uint64_t sealed_len, uint64_t first,
                          uint64_t last, frames_reader_t **r /* OUT */);
/* Copies the next at most cap bytes of the range into out. Returns 1 with
 * *got > 0, 0 when the range is done (*got = 0), or negative; a failure is
 * sticky. */
int frames_read_next(frames_reader_t *r, uint8_t *out, size_t cap, size_t *got /* OUT */);
/* Zero-copy form: points *p at the next piece of the range (the rest of the
 * current frame's part of it), valid until the next call on r. Same returns
 * as frames_read_next. */
int frames_read_view(frames_reader_t *r, const uint8_t **p /* OUT */, size_t *n /* OUT */);
/* Plaintext bytes of the range not yet handed out. */
uint64_t frames_read_remaining(const frames_reader_t *r);
/* Frees r, wiping its plaintext and key. NULL is fine. */
void frames_read_end(frames_reader_t *r);

#endif
