-- Tickets from before the 2025 reform keep their district as people wrote it, not as a code.
UPDATE `tickets` SET `legacy_district` = CASE `legacy_district`
	WHEN 'bien_hoa' THEN 'Thành phố Biên Hòa'
	WHEN 'long_khanh' THEN 'Thành phố Long Khánh'
	WHEN 'nhon_trach' THEN 'Huyện Nhơn Trạch'
	WHEN 'long_thanh' THEN 'Huyện Long Thành'
	WHEN 'trang_bom' THEN 'Huyện Trảng Bom'
	WHEN 'thong_nhat' THEN 'Huyện Thống Nhất'
	WHEN 'cam_my' THEN 'Huyện Cẩm Mỹ'
	WHEN 'xuan_loc' THEN 'Huyện Xuân Lộc'
	WHEN 'dinh_quan' THEN 'Huyện Định Quán'
	WHEN 'tan_phu' THEN 'Huyện Tân Phú'
	WHEN 'vinh_cuu' THEN 'Huyện Vĩnh Cửu'
	ELSE `legacy_district` END
WHERE `legacy_district` IS NOT NULL;
