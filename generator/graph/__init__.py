"""What it means: Markdown parsed once (markdown, rendering), mentions found (mentions), every reference
between items checked (problems) and resolved into the Graph (resolve): back-references, the orders of
dated items (timeline), addresses (urls), internal links (links). Imports nothing."""
