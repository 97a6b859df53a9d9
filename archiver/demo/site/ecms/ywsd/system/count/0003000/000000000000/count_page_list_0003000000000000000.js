var maxpage = 1;
document.getElementById("pagetemple").innerHTML = "<a href='/ywsd/system/count//0003000/000000000000/000/000/c0003000000000000000_000000001.shtml'>下一页</a>";
