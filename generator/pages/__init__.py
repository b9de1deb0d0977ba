"""Stage 3, what the reader gets: one module per page family or output file (render, feeds, sitemap,
search, exports, sanctions, ftm), the outputs table that lists them all (outputs), and the theme beside
them. Imports nothing."""
