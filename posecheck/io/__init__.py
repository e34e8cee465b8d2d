"""Where frames come from and how files are written: video/camera/image sources, atomic
files, safe .npz reading."""
