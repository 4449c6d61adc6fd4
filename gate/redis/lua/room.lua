-- room: returns room().
return room()
