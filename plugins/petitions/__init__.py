"""Letters and visits plugin (信访)."""
