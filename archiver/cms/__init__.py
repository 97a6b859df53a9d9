"""CMS families of Chinese university sites: presets of selectors, and detection from a page."""
