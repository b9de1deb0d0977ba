"""What every stage shares and none owns: errors and their locations, work split across processes, and
stage timings. Imports nothing, so that importing a module below it loads only that module."""
