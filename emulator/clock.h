/* clock.h — the emulator's clock: wall time plus an admin-set offset, so
 * tests can reach "30 days later" (POST /_awsemu/clock). */
#ifndef AWSEMU_CLOCK_H
#define AWSEMU_CLOCK_H

/* Seconds since the epoch, with sub-second precision, offset applied. */
double clock_now(void);
/* Wall time without the offset (signature skew checks use this). */
double clock_real(void);
/* Moves the clock forward by seconds (>= 0); returns the total offset. */
double clock_advance(double seconds);
double clock_offset(void);
void clock_reset(void);
/* Formats t as ISO 8601 UTC with milliseconds: 2026-11-26T07:09:09.123Z. */
void clock_iso8601(double t, char out[32] /* OUT */);

#endif
