/*
 * CMilter: libmilter as Swift sees it, plus the few helpers Swift cannot
 * express itself (variadic smfi_setmlreply, macro constants that are not
 * plain integer literals). Header-only so the target stays a system library.
 */
#ifndef CMILTER_SHIM_H
#define CMILTER_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

/** The libmilter API version this header was built against (SMFI_VERSION). */
static inline int cmilter_version_code(void) { return SMFI_VERSION; }

/**
 * smfi_setmlreply with the lines in an array: the real function is variadic,
 * which Swift cannot call. libmilter accepts at most 32 lines.
 */
static inline int cmilter_setmlreply(SMFICTX *ctx, const char *rcode, const char *xcode,
                                     const char *const *l, int n) {
#define L(i) l[i]
    switch (n) {
    case 1: return smfi_setmlreply(ctx, rcode, xcode, L(0), NULL);
    case 2: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), NULL);
    case 3: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), NULL);
    case 4: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), NULL);
    case 5: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), NULL);
    case 6: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), NULL);
    case 7: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), L(6), NULL);
    case 8: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), NULL);
    case 9: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), NULL);
    case 10: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), NULL);
    case 11: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10), NULL);
    case 12: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10), L(11), NULL);
    case 13: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10), L(11), L(12), NULL);
    case 14: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10), L(11), L(12), L(13), NULL);
    case 15: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10), L(11), L(12), L(13), L(14), NULL);
    case 16: return smfi_setmlreply(ctx, rcode, xcode, L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10), L(11), L(12), L(13), L(14), L(15), NULL);
    default: return MI_FAILURE;
    }
#undef L
}

/** Largest number of lines cmilter_setmlreply passes on. */
static inline int cmilter_max_reply_lines(void) { return 16; }

#endif
