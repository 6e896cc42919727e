"""Documents other than the progress reports of `reporting.rendering`, one module each, each built on a
`measures` read module and the shared PDF and spreadsheet helpers of `reporting.rendering`."""
