// The demo's news items, in UTF-8: the source text that generate.mjs turns into the served feeds.
// All stories, people and outlets are invented for the demo.
//
// Item fields:
//   id        the source's own identifier (guid / Atom id / JSON Feed id)
//   path      the article's path on the demo server (the server answers it with a small HTML page)
//   link      a full link that replaces `path` (stories carried from another source, with utm_* tracking)
//   date      the instant, ISO 8601 with the newsroom's offset; `dateForm` picks how a feed writes it
//   summary   HTML as the newsroom wrote it (entities, relative links and images included on purpose)
//   image     { name, caption }: /img/<name>.png on the demo server (a generated picture)

export const STORIES = {
  'siam-daily': [
    {
      id: 'sd-2026-112417',
      path: '/siam-daily/news/2026/11/24/yi-peng-lantern-zones.html',
      title: 'เชียงใหม่คุมเข้มปล่อยโคมยี่เป็ง กำหนดพื้นที่และเวลาปล่อยโคม',
      date: '2026-11-24T20:10:00+07:00',
      author: 'กองบรรณาธิการสยามเดลี่',
      tags: ['ข่าวภูมิภาค', 'เชียงใหม่'],
      summary:
        '<p>จังหวัดเชียงใหม่ประกาศพื้นที่ปล่อยโคมลอย 5 จุด ระหว่างเวลา 19.00&ndash;01.00 น. ช่วงเทศกาลยี่เป็ง ' +
        'เพื่อความปลอดภัยของการบิน ผู้ฝ่าฝืนมีโทษปรับสูงสุด 40,000 บาท</p>' +
        '<p><img src="/img/yi-peng.png" alt="โคมยี่เป็ง" /></p>',
    },
    {
      id: 'sd-2026-112415',
      path: '/siam-daily/politics/2026/11/24/supplementary-budget-first-reading.html',
      title: 'สภาฯ ผ่านร่าง พ.ร.บ.งบประมาณรายจ่ายเพิ่มเติม วาระแรก',
      date: '2026-11-24T18:45:00+07:00',
      author: 'ปิยะนุช ศรีสวัสดิ์',
      tags: ['การเมือง', 'งบประมาณ'],
      summary:
        '<p>ที่ประชุมสภาผู้แทนราษฎรลงมติรับหลักการร่าง พ.ร.บ.งบประมาณรายจ่ายเพิ่มเติม ปีงบประมาณ 2570 ' +
        'ด้วยคะแนน 312 ต่อ 141 เสียง หลังอภิปรายนานกว่า 14 ชั่วโมง</p>' +
        '<p>ฝ่ายค้านตั้งข้อสังเกตเรื่องวงเงินชดเชยน้ำท่วม&nbsp;&hellip; <a href="/siam-daily/politics/">อ่านต่อ</a></p>',
    },
    {
      id: 'sd-2026-112412',
      path: '/siam-daily/politics/2026/11/24/pm-visits-nakhon-si-thammarat.html',
      title: 'นายกฯ ลงพื้นที่นครศรีธรรมราช “ต้องไม่มีใครถูกทิ้งไว้ข้างหลัง”',
      date: '2026-11-24T13:20:00+07:00',
      dateForm: 'gmt',
      author: 'ทีมข่าวการเมือง',
      tags: ['การเมือง', 'น้ำท่วม'],
      summary:
        '<p>นายกรัฐมนตรีติดตามสถานการณ์น้ำท่วมในอำเภอชะอวดและอำเภอเชียรใหญ่ ' +
        'สั่งการให้จ่ายเงินเยียวยาครัวเรือนละ 9,000 บาท ภายใน 7 วัน</p>',
    },
    {
      id: 'sd-2026-112409',
      path: '/siam-daily/business/2026/11/24/baht-opens-34-62.html',
      title: 'เงินบาทเปิดเช้านี้ 34.62 บาทต่อดอลลาร์ แข็งค่าเล็กน้อย',
      date: '2026-11-24T08:35:00+07:00',
      dateForm: 'no-weekday',
      tags: ['เศรษฐกิจ', 'ค่าเงิน'],
      summary:
        '<p>นักค้าเงินประเมินกรอบการเคลื่อนไหววันนี้ที่ 34.50&ndash;34.75 บาทต่อดอลลาร์ ' +
        'ตลาดรอดูตัวเลขส่งออกเดือนตุลาคม &amp; การประชุม กนง. สัปดาห์หน้า</p>',
    },
    {
      id: 'sd-2026-112406',
      path: '/siam-daily/news/2026/11/24/southern-heavy-rain-warning.html',
      title: 'กรมอุตุฯ เตือนภาคใต้ฝนตกหนักถึงหนักมาก 25–28 พ.ย.',
      date: '2026-11-24T06:00:00+07:00',
      dateForm: 'ict',
      author: 'ศูนย์ข่าวภาคใต้',
      tags: ['ข่าว', 'สภาพอากาศ'],
      summary:
        '<p>ร่องมรสุมพาดผ่านภาคใต้ตอนล่าง ประชาชนในจังหวัดนครศรีธรรมราช พัทลุง สงขลา ' +
        'ควรระวังน้ำป่าไหลหลากและดินโคลนถล่ม</p>',
    },
    {
      id: 'sd-2026-112322',
      path: '/siam-daily/business/2026/11/23/rice-exports-10-months.html',
      title: 'ส่งออกข้าวไทย 10 เดือนแรกทะลุ 8.1 ล้านตัน คาดทั้งปีแตะ 9.5 ล้านตัน',
      date: '2026-11-23T17:05:00+07:00',
      author: 'ฝ่ายข่าวเศรษฐกิจ',
      tags: ['เศรษฐกิจ', 'ข้าว'],
      summary:
        '<p>สมาคมผู้ส่งออกข้าวไทยระบุ ข้าวหอมมะลิและข้าวนึ่งได้รับคำสั่งซื้อเพิ่มจากแอฟริกาและตะวันออกกลาง ' +
        'แม้ราคาข้าวขาว 5% จะอ่อนตัวลงเหลือตันละ 468 ดอลลาร์</p>',
    },
    {
      id: 'sd-2026-112318',
      path: '/siam-daily/news/2026/11/23/bangkok-pm25.html',
      title: 'ค่าฝุ่น PM2.5 กรุงเทพฯ เกินมาตรฐาน 18 พื้นที่ แนะสวมหน้ากาก N95',
      date: '2026-11-23T09:40:00+07:00',
      dateForm: 'single-digit',
      tags: ['ข่าว', 'สิ่งแวดล้อม'],
      summary:
        '<p>ศูนย์ข้อมูลคุณภาพอากาศรายงานค่าเฉลี่ย 24 ชั่วโมงสูงสุดที่เขตหนองแขม 58 มคก./ลบ.ม. ' +
        'กทม. ขอความร่วมมืองดเผาขยะ&nbsp;และตรวจควันดำรถโดยสาร</p>',
    },
    {
      id: 'sd-2026-112304',
      // Relative <link> in the feed: resolved against the channel link by readers that cope.
      path: '/siam-daily/news/2026/11/23/pink-line-frequency.html',
      relativeLink: true,
      title: 'รถไฟฟ้าสายสีชมพูเพิ่มความถี่ช่วงเร่งด่วน รับผู้โดยสารทะลุแสนคนต่อวัน',
      date: '2026-11-23T07:15:00+07:00',
      tags: ['ข่าว', 'คมนาคม'],
      summary:
        '<p>ผู้ให้บริการปรับความถี่เป็นทุก 3 นาที 30 วินาที ในช่วง 07.00&ndash;09.00 น. ' +
        'และ 17.00&ndash;19.30 น. เริ่ม 1 ธันวาคม</p>',
    },
    {
      id: 'sd-2026-112219',
      path: '/siam-daily/politics/2026/11/22/ect-by-election-khon-kaen.html',
      title: 'กกต. กำหนดวันเลือกตั้งซ่อม ส.ส. ขอนแก่น เขต 3 วันที่ 10 ม.ค. 2570',
      date: '2026-11-22T19:30:00+07:00',
      dateForm: 'two-digit-year',
      author: 'ทีมข่าวการเมือง',
      tags: ['การเมือง', 'เลือกตั้ง'],
      summary: '<p>เปิดรับสมัครผู้สมัคร 7&ndash;11 ธันวาคม ณ ศาลากลางจังหวัดขอนแก่น ผู้มีสิทธิเลือกตั้งราว 172,000 คน</p>',
    },
    {
      id: 'sd-2026-112211',
      path: '/siam-daily/business/2026/11/22/foreign-arrivals-31-million.html',
      title: 'ท่องเที่ยวไฮซีซันคึกคัก ต่างชาติเข้าไทยแล้ว 31 ล้านคน',
      date: '2026-11-22T11:00:00+07:00',
      tags: ['เศรษฐกิจ', 'ท่องเที่ยว'],
      summary:
        '<p>นักท่องเที่ยวจีน มาเลเซีย และอินเดีย ยังเป็นสามอันดับแรก สร้างรายได้ราว 1.45 ล้านล้านบาท</p>',
    },
    {
      id: 'sd-2026-112108',
      path: '/siam-daily/news/2026/11/21/loy-krathong-chao-phraya-photos.html',
      // The camera emoji is not in windows-874: the feed writes it as a character reference (&#128247;).
      title: '📷 ประมวลภาพ: บรรยากาศก่อนลอยกระทงริมเจ้าพระยา',
      date: '2026-11-21T21:00:00+07:00',
      tags: ['ภาพข่าว'],
      summary: '<p>ร้านกระทงใบตองริมท่าเรือเริ่มคึกคัก ราคากระทงเฉลี่ย 60&ndash;150 บาท</p>',
      image: { name: 'chao-phraya-krathong', caption: 'กระทงใบตองริมแม่น้ำเจ้าพระยา' },
    },
  ],

  'lanna-news': [
    {
      id: 'tag:lanna-news.demo,2026:entry-4410',
      // Carried from Siam Daily: same story, the partner link carries utm_* tracking.
      link:
        '/siam-daily/news/2026/11/24/yi-peng-lantern-zones.html?utm_source=lanna-news&utm_medium=rss&utm_campaign=partner',
      title: 'เชียงใหม่คุมเข้มปล่อยโคมยี่เป็ง กำหนดพื้นที่และเวลาปล่อยโคม',
      date: '2026-11-24T20:40:00+07:00',
      author: 'สยามเดลี่ (พันธมิตร)',
      tags: ['ยี่เป็ง'],
      summary: '<p>รายงานจากสยามเดลี่: กำหนด 5 จุดปล่อยโคม เวลา 19.00&ndash;01.00 น. ตลอดเทศกาล</p>',
    },
    {
      id: 'tag:lanna-news.demo,2026:entry-4408',
      path: '/lanna-news/news/2026/11/24/doi-suthep-road-closure.html',
      title: 'ปิดถนนขึ้นดอยสุเทพชั่วคราวคืนวันลอยกระทง 18.00–23.00 น.',
      date: '2026-11-24T15:25:00+07:00',
      author: 'ณัฐพล ใจคำ',
      tags: ['จราจร'],
      summary:
        '<p>ตำรวจภูธรจังหวัดเชียงใหม่จัดรถสองแถวรับส่งฟรีจากสวนสัตว์เชียงใหม่ ' +
        'ขึ้นวัดพระธาตุดอยสุเทพทุก 15 นาที</p>',
    },
    {
      id: 'tag:lanna-news.demo,2026:entry-4405',
      // Relative references in the content resolve against the feed's xml:base (/lanna-news/), not the entry link.
      path: '/lanna-news/heritage/2026/11/24/wat-chedi-luang-restoration.html',
      title: 'กรมศิลปากรบูรณะเจดีย์หลวงระยะที่ 2 เสริมฐานรากด้านทิศเหนือ',
      date: '2026-11-24T10:00:00+07:00',
      dateForm: 'z',
      author: 'กองบรรณาธิการ',
      tags: ['มรดกวัฒนธรรม', 'วัดเจดีย์หลวง'],
      summary: '<p>งานบูรณะใช้อิฐมอญทำมือและปูนหมักสูตรโบราณ คาดแล้วเสร็จเดือนมิถุนายน 2570</p>',
      xhtmlContent:
        '<p>สำนักศิลปากรที่ 7 เชียงใหม่ เริ่มงาน<strong>ระยะที่ 2</strong> ' +
        'หลังสำรวจพบรอยร้าวที่ฐานเจดีย์ด้านทิศเหนือ</p><p><img src="../img/chedi-luang.png" alt="เจดีย์หลวง"/></p>',
    },
    {
      id: 'tag:lanna-news.demo,2026:entry-4401',
      path: '/lanna-news/news/2026/11/23/moat-cycling-route.html',
      title: 'เปิดเส้นทางจักรยานรอบคูเมืองเชียงใหม่ ยาว 6.4 กิโลเมตร',
      date: '2026-11-23T16:30:00+07:00',
      tags: ['เมือง'],
      summary: '<p>ทางจักรยานแยกจากถนนด้วยแนวกระถางต้นไม้ ใช้ได้ตั้งแต่ 1 ธันวาคมนี้</p>',
    },
    {
      id: 'tag:lanna-news.demo,2026:entry-4397',
      path: '/lanna-news/news/2026/11/23/doi-chang-coffee-harvest.html',
      title: 'กาแฟดอยช้างเริ่มเก็บผลผลิตฤดูใหม่ ราคาเชอร์รีกาแฟสูงขึ้น 12%',
      date: '2026-11-23T09:10:00+07:00',
      author: 'ธิดารัตน์ แสนคำ',
      tags: ['เกษตร', 'กาแฟ'],
      summary:
        '<p>เกษตรกรบนดอยช้าง อำเภอแม่สรวย ขายเชอร์รีกาแฟได้กิโลกรัมละ 38 บาท ' +
        'สูงสุดในรอบห้าปี &amp; คาดผลผลิตรวม 1,900 ตัน</p>',
    },
    {
      id: 'tag:lanna-news.demo,2026:entry-4390',
      path: '/lanna-news/news/2026/11/22/chiang-rai-mekong-flower-fair.html',
      title: 'เชียงรายจัดงานดอกไม้งามริมโขง ครั้งที่ 18 ที่เชียงแสน',
      date: '2026-11-22T14:00:00+07:00',
      tags: ['ท่องเที่ยว'],
      summary: '<p>จัดแสดงดอกไม้เมืองหนาวกว่า 300,000 ต้น ระหว่าง 5&ndash;31 ธันวาคม เข้าชมฟรี</p>',
    },
    {
      id: 'tag:lanna-news.demo,2026:entry-4386',
      path: '/lanna-news/news/2026/11/22/burning-ban-plan.html',
      title: 'เชียงใหม่เตรียมประกาศห้ามเผา 1 ม.ค.–30 เม.ย. 2570 รับมือหมอกควัน',
      date: '2026-11-22T08:45:00+07:00',
      tags: ['สิ่งแวดล้อม'],
      summary: '<p>อาสาสมัครดับไฟป่ากว่า 2,600 คนเริ่มฝึกทบทวน และทำแนวกันไฟรอบป่าชุมชน 512 แห่ง</p>',
    },
    {
      id: 'tag:lanna-news.demo,2026:entry-4381',
      path: '/lanna-news/heritage/2026/11/21/wualai-silverwork.html',
      title: 'ชุมชนวัวลายเปิดบ้านช่างเครื่องเงิน ให้ชมการตอกลายทุกวันเสาร์',
      date: '2026-11-21T18:00:00+07:00',
      author: 'ณัฐพล ใจคำ',
      tags: ['มรดกวัฒนธรรม', 'หัตถกรรม'],
      summary:
        '<p>ช่างรุ่นที่สี่สาธิตการตอกลายสลุงเงิน ' +
        '<a href="heritage/">ดูข่าวมรดกวัฒนธรรมทั้งหมด</a></p>',
      image: { name: 'wualai-silver', caption: 'ช่างเงินวัวลาย' },
    },
    {
      id: 'tag:lanna-news.demo,2026:entry-4377',
      path: '/lanna-news/news/2026/11/20/warorot-market-parking.html',
      title: 'กาดหลวงปรับปรุงลานจอดรถ รองรับนักท่องเที่ยวช่วงปีใหม่',
      date: '2026-11-20T12:30:00+07:00',
      tags: ['เมือง'],
      summary: '<p>เพิ่มที่จอดรถได้อีก 140 คัน และเปิดทางเดินเชื่อมตลาดต้นลำไย</p>',
    },
  ],

  'thai-heritage': [
    {
      id: 'sukhothai-loy-krathong-2569',
      path: '/thai-heritage/gallery/sukhothai-loy-krathong-2569.html',
      title: 'ภาพชุด: ลอยกระทง เผาเทียน เล่นไฟ สุโขทัย 2569',
      date: '2026-11-24T21:30:00+07:00',
      credit: 'วรวุฒิ พรหมมา',
      tags: ['ลอยกระทง', 'สุโขทัย'],
      summary: '<p>แสงเทียนนับพันดวงรอบสระตระพังทอง อุทยานประวัติศาสตร์สุโขทัย</p>',
      image: { name: 'sukhothai-lanterns', caption: 'แสงเทียนรอบวัดมหาธาตุ สุโขทัย' },
    },
    {
      id: 'ayutthaya-chaiwatthanaram-night',
      path: '/thai-heritage/gallery/ayutthaya-chaiwatthanaram-night.html',
      title: 'อยุธยายามค่ำ: วัดไชยวัฒนารามเปิดไฟส่องสว่างถึง 21.00 น.',
      date: '2026-11-24T11:00:00+07:00',
      credit: 'กัญญาณัฐ มีสุข',
      tags: ['อยุธยา'],
      summary: '<p>เปิดให้เข้าชมยามค่ำทุกวันศุกร์&ndash;อาทิตย์ ถึงสิ้นเดือนกุมภาพันธ์</p>',
      image: { name: 'chaiwatthanaram', caption: 'ปรางค์ประธานวัดไชยวัฒนาราม' },
    },
    {
      id: 'wat-arun-dusk',
      path: '/thai-heritage/gallery/wat-arun-dusk.html',
      title: 'พระปรางค์วัดอรุณฯ ยามเย็น มองจากท่าเตียน',
      date: '2026-11-23T18:20:00+07:00',
      credit: 'วรวุฒิ พรหมมา',
      tags: ['กรุงเทพฯ'],
      summary: '<p>แสงสุดท้ายของวันกระทบกระเบื้องเคลือบบนองค์ปรางค์</p>',
      image: { name: 'wat-arun', caption: 'วัดอรุณราชวราราม' },
    },
    {
      id: 'phanom-rung-after-rain',
      path: '/thai-heritage/gallery/phanom-rung-after-rain.html',
      title: 'มุมสูงปราสาทพนมรุ้งหลังฝน',
      date: '2026-11-23T07:50:00+07:00',
      credit: 'สมชาย ทองดี',
      tags: ['บุรีรัมย์'],
      summary: '<p>ปราสาทหินบนยอดภูเขาไฟที่ดับแล้ว ท่ามกลางหมอกยามเช้า</p>',
      image: { name: 'phanom-rung', caption: 'ปราสาทหินพนมรุ้ง' },
    },
    {
      id: 'royal-barge-rehearsal',
      path: '/thai-heritage/gallery/royal-barge-rehearsal.html',
      title: 'เบื้องหลังการซ้อมเห่เรือ ฝีพายกว่า 2,200 นาย',
      date: '2026-11-22T16:40:00+07:00',
      credit: 'กัญญาณัฐ มีสุข',
      tags: ['เรือพระราชพิธี'],
      summary: '<p>การซ้อมย่อยช่วงเช้าที่ท่าวาสุกรี ก่อนซ้อมใหญ่ในแม่น้ำเจ้าพระยา</p>',
      image: { name: 'royal-barge', caption: 'ฝีพายเรือพระราชพิธี' },
    },
    {
      id: 'khon-performance-2569',
      path: '/thai-heritage/gallery/khon-performance-2569.html',
      title: 'โขน 2569 ตอน “พรหมาศ” เปิดจองบัตรแล้ว',
      date: '2026-11-21T13:00:00+07:00',
      credit: 'ฝ่ายภาพ',
      tags: ['นาฏศิลป์'],
      summary: '<p>ชุดเครื่องแต่งกายจำลองจากจิตรกรรมฝาผนังวัดพระแก้ว ฉากใหม่ 12 ฉาก</p>',
      image: { name: 'khon-mask', caption: 'หัวโขนทศกัณฐ์' },
    },
    {
      id: 'amphawa-floating-market',
      path: '/thai-heritage/gallery/amphawa-floating-market.html',
      title: 'ตลาดน้ำอัมพวา: เรือขายอาหาร หิ่งห้อย และบ้านไม้ริมคลอง',
      date: '2026-11-20T19:10:00+07:00',
      credit: 'สมชาย ทองดี',
      tags: ['สมุทรสงคราม'],
      summary: '<p>เรือก๋วยเตี๋ยวและหอยทอดยังเป็นเสน่ห์ของตลาดน้ำยามเย็น</p>',
      image: { name: 'amphawa', caption: 'ตลาดน้ำอัมพวา' },
    },
    {
      id: 'surin-mudmee-silk',
      path: '/thai-heritage/gallery/surin-mudmee-silk.html',
      title: 'ผ้าไหมมัดหมี่สุรินทร์ ภูมิปัญญาที่ส่งต่อสามรุ่น',
      date: '2026-11-20T10:00:00+07:00',
      credit: 'วรวุฒิ พรหมมา',
      tags: ['หัตถกรรม', 'สุรินทร์'],
      summary: '<p>ลายโฮลแบบดั้งเดิม ย้อมสีจากครั่งและเปลือกประโหด</p>',
      image: { name: 'mudmee-silk', caption: 'ผ้าไหมมัดหมี่ลายโฮล' },
    },
  ],

  'song-hong': [
    {
      id: 'sh-98231',
      path: '/song-hong/chinh-tri/quoc-hoi-thong-qua-luat-quy-hoach-do-thi-98231.html',
      title: 'Quốc hội thông qua Luật Quy hoạch đô thị và nông thôn (sửa đổi)',
      date: '2026-11-24T16:30:00+07:00',
      author: 'Minh Châu',
      tags: ['Chính trị', 'Quốc hội'],
      summary:
        '<p>Với 452/460 đại biểu tán thành, luật có hiệu lực từ ngày 1/7/2027 &ndash; ' +
        'lần đầu quy định quy hoạch không gian ngầm đô thị.</p>',
    },
    {
      id: 'sh-98226',
      // Carried from Sài Gòn Kinh Tế: tracked partner link (utm_*), same story.
      link:
        '/saigon-kinh-te/kinh-te/xuat-khau-gao-10-thang-dat-7-9-trieu-tan.html?utm_source=songhong&utm_medium=rss&utm_campaign=doitac',
      title: 'Xuất khẩu gạo 10 tháng đạt 7,9 triệu tấn, thu về hơn 4,6 tỷ USD',
      date: '2026-11-24T14:05:00+07:00',
      author: 'Theo Sài Gòn Kinh Tế',
      tags: ['Kinh tế', 'Nông nghiệp'],
      summary: '<p>Philippines và Indonesia vẫn là hai thị trường lớn nhất của gạo Việt Nam.</p>',
    },
    {
      id: 'sh-98219',
      path: '/song-hong/kinh-te/gdp-quy-iii-tang-7-2-98219.html',
      title: 'GDP quý III tăng 7,2%, cao nhất trong ba năm',
      date: '2026-11-24T10:15:00+07:00',
      author: 'Thu Hà',
      tags: ['Kinh tế', 'Vĩ mô'],
      summary:
        '<p>Công nghiệp chế biến, chế tạo đóng góp hơn 40% mức tăng; ' +
        'vốn đầu tư công giải ngân đạt 68% kế hoạch năm.</p>',
      image: { name: 'gdp-chart', caption: 'Tăng trưởng GDP theo quý' },
    },
    {
      id: 'sh-98214',
      // A site-relative url: JSON Feed wants absolute ones, feeds in the wild do not always comply.
      path: '/song-hong/thoi-su/metro-nhon-ga-ha-noi-them-chuyen-98214.html',
      relativeLink: true,
      title: 'Tuyến metro Nhổn – ga Hà Nội chạy thêm chuyến giờ cao điểm',
      date: '2026-11-24T07:40:00+07:00',
      tags: ['Thời sự', 'Giao thông'],
      summary: '<p>Giãn cách giữa các chuyến giảm còn 6 phút từ 6h30 đến 8h30 và từ 16h30 đến 19h.</p>',
    },
    {
      id: 'sh-98207',
      path: '/song-hong/thoi-su/chat-luong-khong-khi-ha-noi-98207.html',
      title: 'Hà Nội: chất lượng không khí ở mức kém tại nhiều phường nội thành',
      date: '2026-11-23T21:20:00+07:00',
      author: 'Quang Huy',
      tags: ['Thời sự', 'Môi trường'],
      summary:
        '<p>Chỉ số AQI tại Cầu Giấy và Hoàn Kiếm vượt 160 vào sáng sớm; ' +
        'người già và trẻ nhỏ được khuyến cáo hạn chế ra ngoài.</p>',
    },
    {
      id: 'sh-98198',
      path: '/song-hong/kinh-te/gia-vang-mieng-giam-98198.html',
      title: 'Giá vàng miếng giảm 800.000 đồng mỗi lượng trong phiên sáng',
      date: '2026-11-23T10:05:00+07:00',
      tags: ['Kinh tế', 'Thị trường'],
      summary: '<p>Chênh lệch giữa giá mua và bán thu hẹp còn 1,5 triệu đồng/lượng.</p>',
    },
    {
      id: 'sh-98190',
      path: '/song-hong/thoi-su/ve-tau-tet-dinh-mui-98190.html',
      title: 'Đường sắt mở bán vé tàu Tết Đinh Mùi 2027 từ ngày 1/12',
      date: '2026-11-22T15:00:00+07:00',
      author: 'Thanh Tâm',
      tags: ['Thời sự'],
      summary: '<p>Hơn 460.000 vé được mở bán; hành khách mua vé qua ứng dụng được giảm 5%.</p>',
    },
    {
      id: 'sh-98184',
      path: '/song-hong/chinh-tri/lay-y-kien-sap-xep-to-dan-pho-98184.html',
      title: 'Hà Nội lấy ý kiến người dân về phương án sắp xếp tổ dân phố',
      date: '2026-11-22T09:30:00+07:00',
      tags: ['Chính trị', 'Hà Nội'],
      summary: '<p>Việc lấy ý kiến kéo dài đến hết ngày 15/12; dự kiến giảm khoảng 1.100 tổ dân phố.</p>',
    },
    {
      id: 'sh-98177',
      path: '/song-hong/chinh-tri/be-mac-ky-hop-cuoi-nam-98177.html',
      title: 'Bế mạc kỳ họp cuối năm: Quốc hội thông qua 15 luật, 19 nghị quyết',
      date: '2026-11-21T17:45:00+07:00',
      author: 'Minh Châu',
      tags: ['Chính trị', 'Quốc hội'],
      summary:
        '<p>Chủ tịch Quốc hội đề nghị các bộ, ngành sớm ban hành văn bản hướng dẫn &quot;để luật đi vào cuộc sống&quot;.</p>',
    },
    {
      id: 'sh-98170',
      path: '/song-hong/kinh-te/cau-tu-lien-khoi-cong-98170.html',
      title: 'Khởi công cầu Tứ Liên nối Tây Hồ với Đông Anh',
      date: '2026-11-21T08:00:00+07:00',
      tags: ['Kinh tế', 'Hạ tầng'],
      summary: '<p>Cây cầu dài hơn 5 km, tổng vốn khoảng 19.700 tỷ đồng, dự kiến thông xe năm 2029.</p>',
      image: { name: 'tu-lien-bridge', caption: 'Phối cảnh cầu Tứ Liên' },
    },
  ],

  'mien-trung': [
    {
      id: 'mt-20261124-07',
      path: '/mien-trung/thoi-su/hue-song-huong-bao-dong-2.html',
      title: 'Huế: mưa lớn kéo dài, nước sông Hương vượt báo động 2',
      date: '2026-11-24T19:00:00+07:00',
      author: 'Phan Thị Ngọc Lan',
      tags: ['Thời sự', 'Thiên tai'],
      summary:
        '<p>Lượng mưa 24 giờ tại A Lưới đạt 310 mm. Thủy điện Bình Điền điều tiết xả lũ&nbsp;&ndash; ' +
        'người dân vùng trũng cần chủ động di dời tài sản.</p>',
    },
    {
      id: 'mt-20261124-04',
      path: '/mien-trung/di-san/dai-noi-hue-cua-hien-nhon.html',
      title: 'Trùng tu xong cửa Hiển Nhơn, Đại Nội Huế đón khách trở lại',
      date: '2026-11-24T09:30:00+07:00',
      dateForm: 'single-digit',
      author: 'Trần Quốc Việt',
      tags: ['Di sản', 'Huế'],
      summary: '<p>Các mảng sành sứ khảm trên cổng được phục dựng theo ảnh tư liệu đầu thế kỷ XX.</p>',
      image: { name: 'hien-nhon-gate', caption: 'Cửa Hiển Nhơn sau trùng tu' },
    },
    {
      id: 'mt-20261123-09',
      path: '/mien-trung/di-san/hoi-an-dem-ram-hoa-dang.html',
      title: 'Hội An: đêm rằm phố cổ tắt đèn điện, thả hoa đăng trên sông Hoài',
      date: '2026-11-23T22:15:00+07:00',
      dateForm: 'gmt',
      tags: ['Di sản', 'Hội An'],
      summary: '<p>Du khách được khuyến khích dùng hoa đăng giấy tái chế thay cho đèn nhựa.</p>',
    },
    {
      id: 'mt-20261123-05',
      path: '/mien-trung/thoi-su/da-nang-cau-di-bo-song-han.html',
      title: 'Đà Nẵng khánh thành cầu đi bộ bên sông Hàn',
      date: '2026-11-23T10:45:00+07:00',
      tags: ['Thời sự', 'Đà Nẵng'],
      summary: '<p>Cầu dài 268 m, có đèn LED đổi màu, mở cửa từ 5h đến 23h hằng ngày.</p>',
    },
    {
      id: 'mt-20261122-08',
      path: '/mien-trung/dia-phuong/so-tan-vung-sat-lo.html',
      title: 'Sơ tán hơn 2.000 hộ dân vùng núi phía tây Đà Nẵng trước nguy cơ sạt lở',
      date: '2026-11-22T20:00:00+07:00',
      author: 'Lê Văn Đức',
      tags: ['Địa phương', 'Thiên tai'],
      summary: '<p>Lực lượng biên phòng và dân quân hỗ trợ người dân di chuyển đến các điểm trường an toàn.</p>',
    },
    {
      id: 'mt-20261122-03',
      path: '/mien-trung/dia-phuong/ngu-dan-mua-ca-com.html',
      title: 'Ngư dân Quảng Ngãi trúng đậm mùa cá cơm cuối năm',
      date: '2026-11-22T06:30:00+07:00',
      dateForm: 'no-weekday',
      tags: ['Địa phương', 'Kinh tế biển'],
      summary: '<p>Mỗi chuyến biển đêm thu 3&ndash;5 tấn cá, giá bán tại cảng Sa Huỳnh 14.000 đồng/kg.</p>',
    },
    {
      id: 'mt-20261121-06',
      path: '/mien-trung/di-san/my-son-phat-hien-moi.html',
      title: 'Mỹ Sơn công bố phát hiện mới tại nhóm tháp G',
      date: '2026-11-21T15:10:00+07:00',
      author: 'Trần Quốc Việt',
      tags: ['Di sản', 'Khảo cổ'],
      summary: '<p>Đoàn khảo cổ tìm thấy bệ thờ bằng sa thạch và hai tấm bia khắc chữ Phạn cổ.</p>',
      image: { name: 'my-son', caption: 'Nhóm tháp G, Mỹ Sơn' },
    },
    {
      id: 'mt-20261121-02',
      // No guid in the feed: readers must fall back to the link for identity.
      noGuid: true,
      path: '/mien-trung/thoi-su/phu-bai-duong-bay-bangkok.html',
      title: 'Sân bay Phú Bài mở thêm đường bay thẳng đến Bangkok',
      date: '2026-11-21T08:20:00+07:00',
      tags: ['Thời sự', 'Du lịch'],
      summary: '<p>Bốn chuyến mỗi tuần từ ngày 15/12, giá vé khuyến mãi từ 1,2 triệu đồng.</p>',
    },
    {
      id: 'mt-20261120-04',
      path: '/mien-trung/dia-phuong/ly-son-toi-vu-dong.html',
      title: 'Lý Sơn: tỏi vụ đông được giá, nông dân phấn khởi',
      date: '2026-11-20T16:00:00+07:00',
      tags: ['Địa phương', 'Nông nghiệp'],
      summary: '<p>Tỏi khô loại một bán tại ruộng 120.000 đồng/kg, tăng 20% so với năm trước.</p>',
    },
  ],

  'di-san-viet': [
    {
      id: 'urn:uuid:6c1f2a4e-3b1d-4f7e-9a52-0d6e1b2c9a01',
      path: '/di-san-viet/bai-viet/ca-tru-thang-long.html',
      title: 'Ca trù Thăng Long: giữ lửa cho một di sản cần bảo vệ khẩn cấp',
      date: '2026-11-24T17:00:00+07:00',
      author: 'Nguyễn Thị Thu Trang',
      tags: ['Âm nhạc truyền thống'],
      summary:
        '<p>Mỗi tối thứ Bảy, giáo phường ca trù ở phố Hàng Buồm mở cửa miễn phí cho người trẻ học đàn đáy và phách.</p>',
      image: { name: 'ca-tru', caption: 'Đào nương gõ phách' },
    },
    {
      id: 'urn:uuid:6c1f2a4e-3b1d-4f7e-9a52-0d6e1b2c9a02',
      path: '/di-san-viet/anh/binh-minh-vinh-ha-long.html',
      title: 'Ảnh: Bình minh trên vịnh Hạ Long mùa sương',
      date: '2026-11-24T06:10:00+07:00',
      author: 'Đỗ Mạnh Cường',
      tags: ['Ảnh', 'Quảng Ninh'],
      summary: '<p>Những nhà bè nuôi cá và núi đá vôi ẩn hiện trong sương sớm.</p>',
      image: { name: 'ha-long-dawn', caption: 'Vịnh Hạ Long lúc bình minh' },
    },
    {
      id: 'urn:uuid:6c1f2a4e-3b1d-4f7e-9a52-0d6e1b2c9a03',
      path: '/di-san-viet/bai-viet/van-mieu-tour-dem.html',
      title: 'Văn Miếu – Quốc Tử Giám mở tour đêm “Tinh hoa đạo học”',
      date: '2026-11-23T19:45:00+07:00',
      author: 'Nguyễn Thị Thu Trang',
      tags: ['Hà Nội', 'Du lịch'],
      summary: '<p>Tour kéo dài 90 phút, giới hạn 120 khách mỗi đêm, có thuyết minh tiếng Việt và tiếng Anh.</p>',
    },
    {
      id: 'urn:uuid:6c1f2a4e-3b1d-4f7e-9a52-0d6e1b2c9a04',
      path: '/di-san-viet/anh/non-la-lang-chuong.html',
      title: 'Ảnh: Nghề làm nón lá làng Chuông qua ống kính nhiếp ảnh gia trẻ',
      date: '2026-11-23T08:30:00+07:00',
      author: 'Đỗ Mạnh Cường',
      tags: ['Ảnh', 'Làng nghề'],
      summary: '<p>Mỗi chiếc nón cần 16 vành tre và hơn 20 lá cọ phơi trắng.</p>',
      image: { name: 'non-la', caption: 'Nón lá làng Chuông' },
    },
    {
      id: 'urn:uuid:6c1f2a4e-3b1d-4f7e-9a52-0d6e1b2c9a05',
      path: '/di-san-viet/bai-viet/hoang-thanh-trung-bay-hien-vat.html',
      title: 'Hoàng thành Thăng Long trưng bày 300 hiện vật mới khai quật',
      date: '2026-11-22T14:20:00+07:00',
      tags: ['Khảo cổ', 'Hà Nội'],
      summary: '<p>Nhiều mảnh gốm men ngọc thời Lý lần đầu ra mắt công chúng.</p>',
      image: { name: 'hoang-thanh', caption: 'Gốm men ngọc thời Lý' },
    },
    {
      id: 'urn:uuid:6c1f2a4e-3b1d-4f7e-9a52-0d6e1b2c9a06',
      path: '/di-san-viet/anh/ruong-bac-thang-mu-cang-chai.html',
      title: 'Ảnh: Ruộng bậc thang Mù Cang Chải sau mùa gặt',
      date: '2026-11-22T07:00:00+07:00',
      author: 'Hoàng Yến',
      tags: ['Ảnh', 'Tây Bắc'],
      summary: '<p>Những thửa ruộng trơ gốc rạ dưới nắng chiều đầu đông.</p>',
      image: { name: 'mu-cang-chai', caption: 'Ruộng bậc thang Mù Cang Chải' },
    },
    {
      id: 'urn:uuid:6c1f2a4e-3b1d-4f7e-9a52-0d6e1b2c9a07',
      path: '/di-san-viet/bai-viet/le-hoi-kate-nguoi-cham.html',
      title: 'Mùa Ka-tê: người Chăm rước y phục lên tháp Po Klong Garai',
      date: '2026-11-21T16:00:00+07:00',
      author: 'Hoàng Yến',
      tags: ['Lễ hội', 'Người Chăm'],
      summary: '<p>Điệu múa quạt và tiếng trống Ghi-năng mở đầu nghi lễ tại tháp cổ.</p>',
      image: { name: 'po-klong-garai', caption: 'Tháp Po Klong Garai' },
    },
    {
      id: 'urn:uuid:6c1f2a4e-3b1d-4f7e-9a52-0d6e1b2c9a08',
      path: '/di-san-viet/bai-viet/hoi-an-diem-den-van-hoa.html',
      title: 'Phố cổ Hội An vào danh sách điểm đến văn hóa hàng đầu châu Á',
      date: '2026-11-20T11:30:00+07:00',
      tags: ['Hội An', 'Du lịch'],
      summary: '<p>Ban quản lý phố cổ hạn chế xe điện du lịch vào khu lõi từ tháng 1/2027.</p>',
    },
  ],

  'saigon-kinh-te': [
    {
      // The original of the rice-export story that Báo Sông Hồng carries with a tracked link.
      id: 'xuat-khau-gao-10-thang',
      path: '/saigon-kinh-te/kinh-te/xuat-khau-gao-10-thang-dat-7-9-trieu-tan.html',
      title: 'Xuất khẩu gạo 10 tháng đạt 7,9 triệu tấn, thu về hơn 4,6 tỷ USD',
      date: '2026-11-24T11:50:00+07:00',
      author: 'Ngọc Anh',
      tags: ['Nông nghiệp', 'Xuất khẩu'],
      summary: '<p>Giá gạo 5% tấm xuất khẩu bình quân đạt 584 USD/tấn, cao hơn gạo cùng loại của Thái Lan.</p>',
      content:
        '<p>Theo số liệu sơ bộ, Philippines chiếm 41% lượng gạo xuất khẩu; Indonesia và Malaysia theo sau.</p>' +
        '<p>Các doanh nghiệp tại Cần Thơ cho biết đơn hàng gạo thơm giao tháng 1 đã kín&hellip;</p>',
    },
    {
      id: 'vn-index-vuot-1400',
      path: '/saigon-kinh-te/chung-khoan/vn-index-vuot-moc-1400-diem.html',
      title: 'VN-Index vượt mốc 1.400 điểm nhờ nhóm ngân hàng',
      date: '2026-11-24T15:20:00+07:00',
      dateForm: 'ut',
      author: 'Minh Khoa',
      tags: ['Chứng khoán'],
      summary: '<p>Thanh khoản sàn HOSE đạt gần 28.000 tỷ đồng; khối ngoại mua ròng phiên thứ ba liên tiếp.</p>',
    },
    {
      id: 'metro-so-1-30-trieu-khach',
      path: '/saigon-kinh-te/do-thi/metro-so-1-don-hanh-khach-thu-30-trieu.html',
      title: 'Metro số 1 Bến Thành – Suối Tiên đón hành khách thứ 30 triệu',
      date: '2026-11-23T18:00:00+07:00',
      tags: ['Đô thị', 'Giao thông'],
      summary: '<p>Ngày cao điểm tuyến phục vụ hơn 95.000 lượt khách.</p>',
    },
    {
      id: 'ca-phe-robusta-lap-dinh',
      path: '/saigon-kinh-te/hang-hoa/ca-phe-robusta-lap-dinh-moi.html',
      title: 'Giá cà phê Robusta lập đỉnh mới, nông dân Tây Nguyên chưa vội bán',
      date: '2026-11-23T09:15:00+07:00',
      author: 'Ngọc Anh',
      tags: ['Hàng hóa', 'Cà phê'],
      summary: '<p>Cà phê nhân xô tại Đắk Lắk lên 128.500 đồng/kg &ndash; mức cao nhất từ đầu năm.</p>',
    },
    {
      id: 'cai-mep-tau-24000-teu',
      path: '/saigon-kinh-te/hang-hai/cai-mep-don-tau-24000-teu.html',
      title: 'Cảng Cái Mép – Thị Vải đón tàu container 24.000 TEU',
      date: '2026-11-22T13:40:00+07:00',
      tags: ['Hàng hải', 'Logistics'],
      summary: '<p>Tàu dài gần 400 m cập cảng trong chuyến đầu tiên của tuyến châu Á – Bắc Âu.</p>',
    },
    {
      id: 'fdi-10-thang',
      path: '/saigon-kinh-te/dau-tu/von-fdi-10-thang-dat-31-5-ty-usd.html',
      title: 'Vốn FDI đăng ký 10 tháng đạt 31,5 tỷ USD',
      date: '2026-11-21T10:00:00+07:00',
      dateForm: 'two-digit-year',
      author: 'Minh Khoa',
      tags: ['Đầu tư'],
      summary: '<p>Singapore, Hàn Quốc và Nhật Bản dẫn đầu; vốn giải ngân ước đạt 20,1 tỷ USD.</p>',
    },
    {
      id: 'can-gio-khu-thuong-mai-tu-do',
      path: '/saigon-kinh-te/chinh-sach/can-gio-khu-thuong-mai-tu-do.html',
      title: 'TP.HCM đề xuất thí điểm khu thương mại tự do tại Cần Giờ',
      date: '2026-11-20T17:30:00+07:00',
      tags: ['Chính sách'],
      summary: '<p>Khu thương mại tự do gắn với cảng trung chuyển quốc tế, diện tích dự kiến 3.800 ha.</p>',
    },
    {
      id: 'thuy-san-don-hang-cuoi-nam',
      path: '/saigon-kinh-te/doanh-nghiep/thuy-san-tang-toc-don-hang-cuoi-nam.html',
      title: 'Doanh nghiệp thủy sản tăng tốc giao đơn hàng cuối năm',
      date: '2026-11-20T08:45:00+07:00',
      author: 'Bảo Trân',
      tags: ['Doanh nghiệp', 'Thủy sản'],
      summary: '<p>Xuất khẩu tôm sang Mỹ và Nhật Bản tăng mạnh dịp lễ Giáng sinh &amp; năm mới.</p>',
    },
  ],
};

/**
 * Breaking news the demo hub publishes (scripts/demo/push.mjs → POST /hub/publish), one after another, each with the
 * time it was pushed added to its title and a fresh path. For the hub-backed source (catalog.mjs `hub: true`).
 */
export const PUSH_STORIES = [
  {
    slug: 'ngan-hang-nha-nuoc-giu-lai-suat-dieu-hanh',
    title: 'Ngân hàng Nhà nước giữ nguyên lãi suất điều hành',
    author: 'Minh Khoa',
    tags: ['Tài chính', 'Tin nóng'],
    summary: '<p>Lãi suất tái cấp vốn giữ ở mức 4,5%/năm; tỷ giá trung tâm tăng nhẹ 5 đồng.</p>',
  },
  {
    slug: 'gia-vang-mieng-tang-manh-phien-chieu',
    title: 'Giá vàng miếng tăng mạnh trong phiên chiều',
    author: 'Bảo Trân',
    tags: ['Vàng', 'Tin nóng'],
    summary: '<p>Vàng miếng SJC lên 92,3 triệu đồng/lượng bán ra, tăng 800.000 đồng so với sáng nay.</p>',
  },
  {
    slug: 'cao-toc-bac-nam-thong-xe-doan-moi',
    title: 'Cao tốc Bắc – Nam thông xe thêm đoạn qua Khánh Hòa',
    author: 'Ngọc Anh',
    tags: ['Hạ tầng', 'Tin nóng'],
    summary: '<p>Đoạn tuyến dài 48 km rút ngắn thời gian từ Nha Trang đi Cam Ranh còn 35 phút.</p>',
  },
  {
    slug: 'xuat-khau-sau-rieng-vuot-ky-luc',
    title: 'Xuất khẩu sầu riêng vượt kỷ lục 3 tỷ USD',
    author: 'Bảo Trân',
    tags: ['Nông nghiệp', 'Tin nóng'],
    summary: '<p>Trung Quốc chiếm gần 90% kim ngạch; doanh nghiệp miền Tây tăng ca đóng hàng.</p>',
  },
];
