"""Sinks: JSON/CSV reports, the HTML page and its pictures, the overlay and annotated video
(the video writer), the live display helpers, rule cards, exports for biomechanics tools, a
folder's index page, publishing a set of output files together."""
