"""A table printed without lines (columns aligned by position only) as rows of cells and merged ranges.

What a print keeps of a worksheet without borders is where each text stands, and three habits of every
spreadsheet print: figures are right-aligned in their column and printed on one line; every cell is
centred vertically in its row, so a name wrapped over several lines has its middle on the line of the
row's figures; and a label over several columns (a merged cell) is centred over them.

- **Columns** are the strips of the page that the body's texts and the header's bottom labels occupy;
  a header label over no figures (an empty column) is a column of its own.
- **Rows** are the lines that carry a figure. A line without one joins the row its cell is centred
  on, column by column; a line centred on no row is a row of its own (a heading with no figures).
- **The header** is read as blocks of text (a label wrapped over lines is one block). A block with
  blocks under it is a group. Its columns are those beside it with nothing printed at its height; the
  groups of one header line share them so that each label stands as near their centre as they can
  together, a group beginning at its 合计 or 小计; a group that fits no run of columns is refused,
  never guessed. A label wraps on in its column at the pitch of its lines, never past the right edge
  of figures that begin left of it; the header printed again lower on a page heads the columns the
  figures under both make.
- **Forms** (绩效目标表, 绩效自评表) are read line by line, their indicator grids as tables.
- **Between pages**: a table without its header on the next page takes the columns of the page
  before; a header the page break parted (its first rows at the foot of a page, the rest and the
  figures on the next) is read whole where its figures begin.

A page printed small (a sheet fitted to a wide table prints 3-point text) is read at body size: its
positions are scaled, once per document, so that the reader's distances mean what they mean at 10 points.

Every text is placed in one cell, or the page is refused naming the position of what could not be.

The modules, from a page to its cells: `texts` (characters into texts and label blocks), `page` (a
page's title lines and tables), `table` (one table's header and body), `form`, `header`, `columns`,
`body`.
"""

from disclosures.ingest.unruled.page import header_tail, page_rows
from disclosures.ingest.unruled.texts import TOTALS, body_scale, scaled, texts_of

__all__ = ["TOTALS", "body_scale", "header_tail", "page_rows", "scaled", "texts_of"]
