"""What the writer wrote: site.yaml and content/ read (load), their fields checked and typed
(fields, config, validate) into the model. Imports nothing."""
