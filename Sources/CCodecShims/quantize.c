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
            out[i * channels + c] = (uint8_t)scaled(planes[c * plane_size + i], 255.0f);
}

static inline __attribute__((always_inline)) void interleave16(const float *planes, size_t plane_size,
                                                                uint32_t channels, size_t from, size_t to,
                                                                uint16_t *out) {
    for (size_t i = from; i < to; i++)
        for (uint32_t c = 0; c < channels; c++)
            out[i * channels + c] = (uint16_t)scaled(planes[c * plane_size + i], 65535.0f);
}

void codec_quantize(const float *planes, size_t plane_size, uint32_t channels, uint32_t bit_depth, size_t from,
                    size_t to, void *out) {
    /* a constant channel count per call, so that the inner loop unrolls */
    if (bit_depth == 16) {
        switch (channels) {
        case 1: interleave16(planes, plane_size, 1, from, to, out); break;
        case 2: interleave16(planes, plane_size, 2, from, to, out); break;
        case 3: interleave16(planes, plane_size, 3, from, to, out); break;
        case 4: interleave16(planes, plane_size, 4, from, to, out); break;
        default: interleave16(planes, plane_size, channels, from, to, out); break;
        }
    } else {
        switch (channels) {
        case 1: interleave8(planes, plane_size, 1, from, to, out); break;
        case 2: interleave8(planes, plane_size, 2, from, to, out); break;
        case 3: interleave8(planes, plane_size, 3, from, to, out); break;
        case 4: interleave8(planes, plane_size, 4, from, to, out); break;
        default: interleave8(planes, plane_size, channels, from, to, out); break;
        }
    }
}
