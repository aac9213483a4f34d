// Resolution anchor: bare imports of plugin pages (outside frontend/) are resolved as if from here.
export {}
