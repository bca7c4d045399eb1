"""The portal's rules. Every operation takes the acting person first and asks the
access layer (portal_app/access) before reading or changing anything."""
