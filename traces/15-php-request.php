<?php
// Lesson 15's script: traces/15-php-request.zmt is what PHP 8.2's engine
// asked of its allocator while running it, recorded with
//   zmmrecord -o traces/15-php-request.zmt --php traces/15-php-request.php
// and then narrated by hand (@title, @mark, @caption, @pause lines).
$words = [];
for ($i = 1; $i <= 20; $i++) {
    $words[] = str_repeat("x", $i * 10);    // strings of 10 to 200 bytes
}
$big = str_repeat("y", 100000);             // one string of 100000 bytes
unset($words);                              // the strings and the array go
echo strlen($big), "\n";
