/* The oracle for TestMatchesLibzinnia: reads inks, one a line ("W H x y x y ... ; x y ..."
   with ';' between strokes), and prints libzinnia's top 10 as "char score" pairs.
   Not built by the project; to regenerate want.txt (Debian: libzinnia-dev, tegaki-zinnia-simplified-chinese):
     gcc -O2 -o /tmp/oracle oracle.c -lzinnia
     /tmp/oracle /usr/share/tegaki/models/zinnia/handwriting-zh_CN.model < inks.txt > want.txt
   inks.txt is random walks (seeded), not handwriting: they test the features and scores,
   not the model's accuracy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zinnia.h>
int main(int argc, char **argv) {
  zinnia_recognizer_t *r = zinnia_recognizer_new();
  if (!zinnia_recognizer_open(r, argv[1])) { fprintf(stderr, "open: %s\n", zinnia_recognizer_strerror(r)); return 1; }
  static char line[1<<20];
  while (fgets(line, sizeof line, stdin)) {
    zinnia_character_t *c = zinnia_character_new();
    char *tok = strtok(line, " \n");
    zinnia_character_set_width(c, atoi(tok));
    tok = strtok(NULL, " \n");
    zinnia_character_set_height(c, atoi(tok));
    int s = 0;
    while ((tok = strtok(NULL, " \n"))) {
      if (strcmp(tok, ";") == 0) { s++; continue; }
      int x = atoi(tok); tok = strtok(NULL, " \n"); int y = atoi(tok);
      zinnia_character_add(c, s, x, y);
    }
    zinnia_result_t *res = zinnia_recognizer_classify(r, c, 10);
    for (size_t i = 0; res && i < zinnia_result_size(res); i++) printf("%s %.6f ", zinnia_result_value(res, i), zinnia_result_score(res, i));
    printf("\n");
    if (res) zinnia_result_destroy(res);
    zinnia_character_destroy(c);
  }
  return 0;
}
