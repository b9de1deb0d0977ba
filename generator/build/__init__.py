"""How it is made fast and safe: the builder that runs the stages, forked workers, what each
page read (reads), which pages to draw again (incremental), the build cache and its stamps (cache, stamp),
and atomic writes (write). Imports nothing."""
