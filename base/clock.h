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
/* The latest time the clock may show: 9999-12-31T23:59:59Z (timestamps
 * print with four-digit years; time_t and doubles stay exact below it). */
#define CLOCK_MAX_TIME 253402300799.0
/* 1 when seconds is finite, not negative, and moves the clock no later
 * than CLOCK_MAX_TIME; clock_advance ignores any other value. */
int clock_advance_ok(double seconds);
double clock_offset(void);
void clock_reset(void);
/* Formats t as ISO 8601 UTC with milliseconds: 2026-11-26T07:09:09.123Z. */
void clock_iso8601(double t, char out[32] /* OUT */);

#endif
