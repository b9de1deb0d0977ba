"""The relations maps drawn as SVG: the layout (stress majorization), the lines and the labels placed so
that none covers another, and the drawing. The same bytes on every CPU. Imports nothing."""
