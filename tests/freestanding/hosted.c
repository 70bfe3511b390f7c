/* Must NOT compile with core/'s flags: core/ and arch/ may not reach libc headers. */
#include <stdio.h>
int hosted_probe(void);
int hosted_probe(void)
{
	return (int)sizeof(FILE);
}
