"""One module per group of `margin` commands; tui.cli registers them."""
