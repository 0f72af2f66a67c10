#include "quantize.h"
#include "codec_shims.h"

/* Swift's checked float-to-integer conversions and the per-channel strided loop kept the
   compiler from vectorising this; in C each channel count gets its own unrolled loop.
   No fused multiply-add: v * scale and + 0.5 round separately, as the Swift reference
   does, so the samples are the same on any CPU. */
#pragma STDC FP_CONTRACT OFF

/* clamped to [0, 1] (NaN to 0), then scaled and rounded half up */
static inline float scaled(float v, float scale) {
    v = v > 0.0f ? v : 0.0f;
    v = v < 1.0f ? v : 1.0f;
    float product = v * scale;
    return product + 0.5f;
}

static inline __attribute__((always_inline)) void interleave8(const float *planes, size_t plane_size,
                                                               uint32_t channels, size_t from, size_t to,
                                                               uint8_t *out) {
    for (size_t i = from; i < to; i++)
        for (uint32_t c = 0; c < channels; c++)
            out[(i - from) * channels + c] = (uint8_t)scaled(planes[c * plane_size + i], 255.0f);
}

static inline __attribute__((always_inline)) void interleave16(const float *planes, size_t plane_size,
                                                                uint32_t channels, int big_endian, size_t from,
                                                                size_t to, uint16_t *out) {
    for (size_t i = from; i < to; i++)
        for (uint32_t c = 0; c < channels; c++) {
            uint16_t q = (uint16_t)scaled(planes[c * plane_size + i], 65535.0f);
            out[(i - from) * channels + c] = big_endian ? (uint16_t)(q << 8 | q >> 8) : q;
        }
}

void codec_quantize_range(const float *planes, size_t plane_size, uint32_t channels, uint32_t bit_depth,
                          int big_endian, size_t from, size_t to, void *out) {
    /* a constant channel count and byte order per loop, so that the inner loop unrolls */
#define CASES(call_channels)                                                                                         \
    switch (channels) {                                                                                              \
    case 1: call_channels(1); break;                                                                                 \
    case 2: call_channels(2); break;                                                                                 \
    case 3: call_channels(3); break;                                                                                 \
    case 4: call_channels(4); break;                                                                                 \
    default: call_channels(channels); break;                                                                         \
    }
#define EIGHT(k) interleave8(planes, plane_size, k, from, to, out)
#define BIG(k) interleave16(planes, plane_size, k, 1, from, to, out)
#define NATIVE(k) interleave16(planes, plane_size, k, 0, from, to, out)
    if (bit_depth != 16) {
        CASES(EIGHT)
    } else if (big_endian) {
        CASES(BIG)
    } else {
        CASES(NATIVE)
    }
#undef CASES
#undef EIGHT
#undef BIG
#undef NATIVE
}

void codec_quantize(const float *planes, size_t plane_size, uint32_t channels, uint32_t bit_depth, size_t from,
                    size_t to, void *out) {
    size_t bytes = bit_depth == 16 ? 2 : 1;
    codec_quantize_range(planes, plane_size, channels, bit_depth, 0, from, to,
                         (uint8_t *)out + from * channels * bytes);
}
