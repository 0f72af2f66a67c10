#ifndef CODEC_QUANTIZE_H
#define CODEC_QUANTIZE_H
#include <stddef.h>
#include <stdint.h>

/* codec_quantize for pixels from..<to, written from `out` on (pixel `from` first); 16-bit
   samples big-endian (as PNG stores them) when `big_endian`, else native. Shared by the
   interleaving for JPEG and the PNG encoder, which quantizes rows inside its workers. */
void codec_quantize_range(const float *planes, size_t plane_size, uint32_t channels, uint32_t bit_depth,
                          int big_endian, size_t from, size_t to, void *out);

#endif
