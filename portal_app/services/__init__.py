"""The portal's rules. Every operation takes the acting person first and asks policy."""
