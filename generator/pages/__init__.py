"""Stage 3, what the reader gets: one module per page family or output file (home, article, actor, topic,
timeline, lists, sources, relations, moved, sanctions, search, feeds, sitemap, exports, ftm), what they
draw with (page, context, linking, text, views, card_views, parts, words, environment), render, which
dispatches a page to its family's builder, the outputs table that lists them all (outputs), and the theme
beside them. Imports nothing."""
