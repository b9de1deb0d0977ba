"""The HTML pages: render() hands each page to the builder of its family (home, article, actor, topic,
timeline, lists, sources, relations, sanctions, moved), which draw with the views, text and cards here.
Imports nothing."""
