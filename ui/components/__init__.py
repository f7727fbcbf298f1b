"""Browser components: the stepper and the drawing grid, each with its HTML/CSS/JS beside it."""
