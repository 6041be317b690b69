/*
 * view_map.h - the chunk map (each chunk's 512 pages as 8 rows of 64
 * cells, the selected chunk first), the lists beside it (ring, cache,
 * huge blocks), and the best-fit line of the op under way.
 */
#ifndef ZMM_VIEW_MAP_H
#define ZMM_VIEW_MAP_H

#include "player.h"
#include "ui.h"

#define VIEW_MAP_CHUNK_ROWS	9	/* a label and 8 rows of pages */

/*
 * The map from row Y in at most ROWS rows (at least one chunk); returns
 * the rows used.  Clamps the chunk selection and notes the layout.
 */
int	view_map_draw(struct ui *ui, const struct player *player, int y,
	    int rows);

/* The best-fit candidates of the op under way, on row Y. */
void	view_fit_draw(const struct ui *ui, const struct player *player, int y);

#endif /* ZMM_VIEW_MAP_H */
