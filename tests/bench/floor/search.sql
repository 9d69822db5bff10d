-- Search for one word (-D word=…, -D prefix=word%, -D term=word:*): the service's full-text
-- match and ranking, with each hit's name, as ONE JSON statement.
select json_agg(json_build_object('kind', h.target_type, 'id', h.target_id,
    'name', coalesce(f.title, p.name, c.name), 'releaseDate', f.release_date) order by h.n)
from (select e.target_type, e.target_id,
        row_number() over (order by case when e.folded = :word then 0 when e.folded like :prefix then 1 else 2 end,
                           e.weight desc, length(e.folded), e.id) n
      from search_entry e
      where to_tsvector('simple', e.folded) @@ to_tsquery('simple', :term)
      order by n limit 20) h
left join film f on h.target_type = 'FILM' and f.id = h.target_id
left join person p on h.target_type = 'PERSON' and p.id = h.target_id
left join company c on h.target_type = 'COMPANY' and c.id = h.target_id;
