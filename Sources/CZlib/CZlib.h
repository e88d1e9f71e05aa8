// zlib as Debian ships it (zlib1g-dev): the store deflates the objects it keeps.
#include <zlib.h>
