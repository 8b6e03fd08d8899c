"""The live preview: a local page that re-renders leaflets when their inputs are saved."""
