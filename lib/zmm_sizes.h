/*
 * zmm_sizes.h - the 30 small size classes (bins) of ZendMM.
 *
 * One row per bin: number, slot size in bytes, slots carved from one run,
 * pages per run.  The same table as `ZEND_MM_BINS_INFO` in PHP 8.2's
 * `zend_alloc_sizes.h`; slots = floor(pages * 4096 / size), and the pages
 * column is a design choice that cannot be derived.
 */
#ifndef ZMM_SIZES_H
#define ZMM_SIZES_H

#define ZMM_BINS_INFO(X)	\
	X( 0,    8, 512, 1)	\
	X( 1,   16, 256, 1)	\
	X( 2,   24, 170, 1)	\
	X( 3,   32, 128, 1)	\
	X( 4,   40, 102, 1)	\
	X( 5,   48,  85, 1)	\
	X( 6,   56,  73, 1)	\
	X( 7,   64,  64, 1)	\
	X( 8,   80,  51, 1)	\
	X( 9,   96,  42, 1)	\
	X(10,  112,  36, 1)	\
	X(11,  128,  32, 1)	\
	X(12,  160,  25, 1)	\
	X(13,  192,  21, 1)	\
	X(14,  224,  18, 1)	\
	X(15,  256,  16, 1)	\
	X(16,  320,  64, 5)	\
	X(17,  384,  32, 3)	\
	X(18,  448,   9, 1)	\
	X(19,  512,   8, 1)	\
	X(20,  640,  32, 5)	\
	X(21,  768,  16, 3)	\
	X(22,  896,   9, 2)	\
	X(23, 1024,   8, 2)	\
	X(24, 1280,  16, 5)	\
	X(25, 1536,   8, 3)	\
	X(26, 1792,  16, 7)	\
	X(27, 2048,   8, 4)	\
	X(28, 2560,   8, 5)	\
	X(29, 3072,   4, 3)

#endif /* ZMM_SIZES_H */
