return Marker
