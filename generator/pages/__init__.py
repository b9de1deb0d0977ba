"""What the reader gets: every output file as a Page drawn from the graph. The HTML pages by family
(html/), the relations maps (maps/), FollowTheMoney out and in (ftm/), the feeds, sitemap, search and
exports, the outputs table that lists them all, what every page is drawn with (page, context,
environment), and the theme beside them. Imports nothing."""
